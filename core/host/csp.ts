// The page's Content-Security-Policy, one definition for both hosts (the browser host here, the Electron
// window through electron/main/security.ts) and the browser host's other response headers: only the
// page's own scripts and style sheets, no inline script or style, no eval, no plugins, no framing, and
// connections only back to its own origin.
//
// Styles: only the built CSS files. Vue's `:style` bindings, ECharts' element styles and its SVG text set
// styles through the CSSOM (`el.style.x = …`, `style.cssText`), which style-src does not govern; vue-echarts
// adds its base sheet as a constructed stylesheet (`adoptedStyleSheets`), also allowed. What the policy does
// refuse — `<style>` elements and `style="…"` attributes in parsed markup — the page never makes: chart
// tooltips are drawn as rich text in the chart (renderer/src/components/charts.ts TOOLTIP), not as HTML.
// tests/e2e/csp.spec.ts opens every chart screen in Chromium under this policy and expects no violation.
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
});

const serialize = (directives: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');

export const CONTENT_SECURITY_POLICY = serialize(CSP_DIRECTIVES);

/**
 * Development only (`electron-vite dev`): Vite's dev server injects each component's CSS as a `<style>`
 * element for hot reload, so the dev window allows inline styles. Never sent by a packaged app or `serve`.
 */
export const DEV_CONTENT_SECURITY_POLICY = serialize({ ...CSP_DIRECTIVES, 'style-src': ["'self'", "'unsafe-inline'"] });

/** Sent with every response of the browser host. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  // The page's URL carries the token: never send it anywhere in a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});
