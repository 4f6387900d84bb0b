// The tests compile without the DOM library (they run in Node); these are the few DOM shapes
// that page-side callbacks (page.evaluate, locator.evaluate) touch. Those callbacks are
// serialized into the page, so they cast globalThis themselves: `globalThis as unknown as DomWindow`.
export interface DomAttr {
  name: string;
  value: string;
}

export interface DomElement {
  localName: string;
  id: string;
  attributes: ArrayLike<DomAttr> & Iterable<DomAttr>;
  getAttribute(name: string): string | null;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
}

export interface DomDocument extends DomElement {
  title: string;
  activeElement: DomElement | null;
  body: DomElement;
}

export interface DomWindow {
  document: DomDocument;
}

