/** The webview side of the channel to the host, typed with the shared messages. */
import type { HostToPanelMessage, PanelReport, PanelToHostMessage } from '../extension/shared/messages';
import type { PanelState } from '../extension/shared/panelViewModel';

export interface PersistedState {
  panel: PanelState;
  report: PanelReport | null;
  stale: boolean;
  staleReason?: string;
}

interface VsCodeApi {
  postMessage(message: PanelToHostMessage): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

export function onHostMessage(handler: (message: HostToPanelMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostToPanelMessage>) => handler(event.data));
}
