import { expect } from 'vitest';
import type { FakeServer } from '../src/index.js';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** fetch against a fake: JSON in and out, with the given headers (auth) on every call. */
export function client(baseUrl: string, headers: Record<string, string>) {
  return async <T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<JsonResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extraHeaders },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // plain-text answer
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };
}

/** The fake saw only spec-conforming requests and gave only spec-conforming answers. */
export function expectClean(fake: FakeServer<unknown, unknown> | { violations: unknown[]; responseProblems: string[] }): void {
  expect(fake.violations).toEqual([]);
  expect(fake.responseProblems).toEqual([]);
}
