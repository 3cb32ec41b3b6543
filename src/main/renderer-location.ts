// Where the app's own page lives (built file or dev server) and whether a URL is that page.
import { pathToFileURL } from 'node:url';

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export class RendererLocation {
  private constructor(
    /** What the window loads. */
    readonly url: string,
    /** Set when the page comes from electron-vite's dev server. */
    readonly devServerOrigin: string | undefined,
  ) {}

  /** The built page, e.g. out/renderer/index.html. */
  static fromFile(file: string): RendererLocation {
    // Loaded with loadURL(this exact URL) rather than loadFile, so what the frame reports is
    // what we compare against (loadFile formats the URL its own way).
    return new RendererLocation(pathToFileURL(file).href, undefined);
  }

  /** electron-vite's dev server (ELECTRON_RENDERER_URL); only http(s) is accepted. */
  static fromDevServer(url: string): RendererLocation {
    const parsed = parse(url);
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new Error(`The renderer URL must be an http(s) URL, not "${url}".`);
    }
    return new RendererLocation(parsed.href, parsed.origin);
  }

  /**
   * True if `url` is the app's page. For a file only that exact file counts (any other local
   * file is not ours); for the dev server its whole origin does. Query and hash are ignored
   * so in-page routing stays allowed.
   */
  isAppUrl(url: string): boolean {
    const actual = parse(url);
    if (!actual) return false;
    if (this.devServerOrigin !== undefined) return actual.origin === this.devServerOrigin;
    const expected = new URL(this.url);
    return (
      actual.protocol === 'file:' &&
      actual.host === expected.host &&
      actual.pathname === expected.pathname
    );
  }
}
