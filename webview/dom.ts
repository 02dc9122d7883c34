/**
 * The only way the panel makes elements: text goes in with textContent (text nodes), never innerHTML, so
 * no dataset string can become markup. Attributes are set by name from code, never from data keys.
 */
export type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  title?: string;
  attrs?: Record<string, string>;
  onClick?: (event: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  decorate(element, options, children);
  return element;
}

/** A custom element (e.g. vscode-button) made the same way. */
export function custom(tag: string, options: ElementOptions = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  decorate(element, options, children);
  return element;
}

function decorate(element: HTMLElement, options: ElementOptions, children: Child[]): void {
  if (options.className) element.className = options.className;
  if (options.title) element.title = options.title;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  if (options.onClick) element.addEventListener('click', options.onClick);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}
