import { readFileSync } from 'node:fs';
import type { OpenApiDoc } from './openapi-types.js';

/**
 * The trimmed provider specs committed under openapi/ (written by scripts/extract-openapi.mjs). Read
 * relative to this module, which sits one level below the package root in both src/ and dist/.
 */
export function loadSpec(file: string): OpenApiDoc {
  return JSON.parse(readFileSync(new URL(`../../openapi/${file}`, import.meta.url), 'utf8')) as OpenApiDoc;
}
