// Search patterns (`*` any run, `?` one character) as SQL LIKE patterns, shared by both stores.
// Both stores match case-insensitively: SQLite's LIKE folds ASCII, PostgreSQL's ILIKE folds all.

export interface LikePattern {
  /** The LIKE pattern with `\` escaping literal `%`, `_` and `\`. */
  like: string;
  /** The same pattern with literal `%`/`_` widened to `_` and no escapes: what an index can serve without ESCAPE. */
  loose: string;
  /** True when the loose pattern is wider than `like` (the exact one must be checked too). */
  needsExact: boolean;
}

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/**
 * `substring`: plain text without wildcards matches anywhere in the value (free-text fields);
 * otherwise plain text matches the whole value.
 */
export function likePattern(pattern: string, substring: boolean): LikePattern {
  const wrap = substring && !hasWildcard(pattern);
  let like = '';
  let loose = '';
  let needsExact = false;
  for (const ch of pattern) {
    if (ch === '*') {
      like += '%';
      loose += '%';
    } else if (ch === '?') {
      like += '_';
      loose += '_';
    } else if (ch === '%' || ch === '_' || ch === '\\') {
      like += '\\' + ch;
      loose += '_';
      needsExact = true;
    } else {
      like += ch;
      loose += ch;
    }
  }
  if (wrap) {
    like = `%${like}%`;
    loose = `%${loose}%`;
  }
  return { like, loose, needsExact };
}
