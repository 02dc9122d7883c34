/** Shared helpers of the in-editor tests: the extension's API, the fixture paths, waiting for events. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyTraceApi } from '../../../extension/extension';

export const EXTENSION_ID = 'policytrace.policytrace';

/** test/fixtures/editor (source tree; out/test/integration/suite → ../../../../test/fixtures/editor). */
export const FIXTURE_DIR = path.resolve(__dirname, '../../../../test/fixtures/editor');
export const WORKSPACE_DIR = path.join(FIXTURE_DIR, 'workspace');
export const TRAIN_FILE = path.join(WORKSPACE_DIR, 'train.jsonl');
export const SPEC_FILE = path.join(WORKSPACE_DIR, 'policytrace.json');
export const FIXTURE_REPORT = path.join(FIXTURE_DIR, 'fixture-report.json');

export async function activateExtension(): Promise<PolicyTraceApi> {
  const extension = vscode.extensions.getExtension<PolicyTraceApi | undefined>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed in this test instance`);
  const api = await extension.activate();
  if (!api) throw new Error('PolicyTrace failed to activate (see its log)');
  return api;
}

/** Resolves with the first event value that satisfies `accept`, or rejects after `ms`. */
export function nextEvent<T>(event: vscode.Event<T>, ms: number, accept: (value: T) => boolean = () => true): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`event did not fire within ${ms} ms`));
    }, ms);
    const subscription = event((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

/** Polls until `probe` returns a value (not undefined), or throws after `ms`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
