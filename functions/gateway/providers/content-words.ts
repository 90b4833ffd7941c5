/** The words the offline provider weighs: lower-cased, three letters or more, not a stopword, plural s dropped ("passwords" matches "password"). */
export function contentWords(text: string, stopwords: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}']+/gu)) {
    let w = m[0].replace(/^'+|'+$/g, '');
    if (w.length < 3 || stopwords.has(w)) continue;
    if (w.length > 4 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}
