import { api } from './api.js';

export interface Post { code: string; name: string; kind: string; country: string; countryTag?: string; bureau: string; status: string }

let directory: Promise<Map<string, Post>> | null = null;

/** Every post by code, fetched once per page load (they change rarely; an admin's change shows after a reload). */
export function posts(): Promise<Map<string, Post>> {
  directory ??= api<{ items: Post[] }>('GET', '/posts?limit=500').then(
    (answer) => new Map(answer.items.map((p) => [p.code, p])),
    () => {
      directory = null;
      return new Map<string, Post>();
    },
  );
  return directory;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** A country's name in English from its ISO 3166 code ("China" for CN); the code itself where the browser knows no name. */
export function countryName(alpha2: string | null | undefined): string {
  if (!alpha2) return '';
  try {
    return regionNames.of(alpha2) ?? alpha2;
  } catch {
    return alpha2;
  }
}

export const forgetPosts = () => {
  directory = null;
};
