// Imported first by main.ts, before anything validates with zod: the page's CSP refuses eval, and zod's
// probe for `new Function` is reported as a CSP violation even though zod catches it and falls back. With
// jitless, zod never probes (its parsers are the same, only not compiled).
import { z } from 'zod';

z.config({ jitless: true });
