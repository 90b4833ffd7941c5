/**
 * The offline provider: no network, no model. It drafts an extractive reply from the retrieved
 * passages so a workflow still produces something a reviewer can edit when no LLM is configured
 * (local runs, outages, tests). Pure function of its input: same request, same text, always.
 */
import type { Passage } from '../../shared/step-contract.js';
import type { ProviderCall, ProviderReply } from '../types.js';
import { composeOfflineNotes, offlineNotesText, OFFLINE_NOTES_MARK } from './offline-notes.js';
import { firstLineTitle } from '../../knowledge/validation.js';
import { composeOfflineObject } from './offline-structured.js';
import { contentWords as wordsOf } from './content-words.js';

export const OFFLINE_MODEL = 'offline-extractive-v1';
export const OFFLINE_HEADER = '[offline draft — composed from the knowledge base without a language model]';
export const NO_ARTICLE_TEXT =
  'No knowledge-base article covers this question, so nothing was drafted from the knowledge base. A human agent should answer it.';

/** Passages considered (by rank) and sentences quoted: enough to answer, short enough to review. */
const TOP_PASSAGES = 3;
const MAX_SENTENCES = 3;
const MAX_PER_PASSAGE = 2;

const STOPWORDS = new Set(
  ('the and for are but not you your yours with this that these those from have has had was were will would can could ' +
    'should what when where which who whom why how does did doing our ours they them their there here into onto about ' +
    'please thanks thank hello dear any all some just also its it\'s i\'m can\'t don\'t been being than then very ' +
    // Words of the workflow's own prompt template ("draft a reply to this ticket"), not of the question.
    'draft reply respond ticket customer question answer write')
    .split(' '),
);

/** Content words of `text` (content-words.ts), without this module's stopwords. */
const contentWords = (text: string): string[] => wordsOf(text, STOPWORDS);

function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

interface Candidate {
  readonly n: number;
  readonly index: number;
  readonly text: string;
  readonly score: number;
}

/** Picks the sentences that share the most distinct words with the request, with stable tie-breaks. */
function pickSentences(requestText: string, passages: readonly Passage[]): Candidate[] {
  const wanted = new Set(contentWords(requestText));
  const top = [...passages].sort((a, b) => a.n - b.n).slice(0, TOP_PASSAGES);
  const all: Candidate[] = top.flatMap((p) =>
    splitSentences(p.text).map((text, index) => {
      const seen = new Set(contentWords(text));
      let score = 0;
      for (const w of seen) if (wanted.has(w)) score += 1;
      return { n: p.n, index, text, score };
    }),
  );
  // A sentence must share at least half as many words as the best one: a single shared word such
  // as "emailed" should not pull an unrelated article into the reply.
  const best = Math.max(0, ...all.map((c) => c.score));
  const floor = Math.max(1, Math.ceil(best / 2));
  const ranked = all.filter((c) => c.score >= floor).sort((a, b) => b.score - a.score || a.n - b.n || a.index - b.index);
  const chosen: Candidate[] = [];
  const perPassage = new Map<number, number>();
  for (const c of ranked) {
    if (chosen.length >= MAX_SENTENCES) break;
    if ((perPassage.get(c.n) ?? 0) >= MAX_PER_PASSAGE) continue;
    perPassage.set(c.n, (perPassage.get(c.n) ?? 0) + 1);
    chosen.push(c);
  }
  // Nothing overlaps: the retriever still ranked passage 1 highest, so quote its opening.
  if (chosen.length === 0 && all[0]) chosen.push(all[0]);
  // Read in document order, not score order, so the reply flows like the source.
  return chosen.sort((a, b) => a.n - b.n || a.index - b.index);
}

export function composeOfflineText(requestText: string, passages: readonly Passage[]): string {
  const chosen = pickSentences(requestText, passages);
  if (chosen.length === 0) return `${OFFLINE_HEADER}\n\n${NO_ARTICLE_TEXT}`;
  const body = chosen.map((c) => `${c.text} [${c.n}]`).join(' ');
  const cited = [...new Set(chosen.map((c) => c.n))];
  const sources = cited
    .map((n) => passages.find((p) => p.n === n))
    .filter((p): p is Passage => p !== undefined)
    .map((p) => `[${p.n}] ${p.title} (${p.docId}@v${p.version})`)
    .join('\n');
  return `${OFFLINE_HEADER}\n\nFrom the knowledge base: ${body}\n\nSources:\n${sources}\n\nA reviewer should check this draft before it is sent.`;
}

/** Heads an offline knowledge edit's new section, so its owner sees no model wrote it. */
export const OFFLINE_REVISION_NOTE = '> Offline proposal: composed without a language model from the resolved ticket; check the wording before approving.';

/**
 * An offline knowledge edit, a pure function of its input: the current document unchanged, then a
 * new section built from the request, whose first line is the section's heading (e.g. the ticket's
 * subject) and whose other lines are its text (e.g. the resolution). A new document when there is
 * none to revise. Nothing is invented: every added word comes from the request.
 */
export function composeOfflineRevision(requestText: string, current: { readonly title: string; readonly text: string }): string {
  const lines = requestText.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim().length > 0);
  const heading = firstLineTitle(requestText) || firstLineTitle(current.title) || current.title;
  const body = lines
    .slice(first + 1)
    .join('\n')
    .trim()
    // Paragraphs as written, at most one blank line between them.
    .replace(/\n{3,}/g, '\n\n');
  const text = body || '(The request carried no text beyond its first line: write what the resolution teaches here.)';
  if (!current.text.trim()) return `# ${heading}\n\n${OFFLINE_REVISION_NOTE}\n\n${text}\n`;
  return `${current.text.trimEnd()}\n\n## ${heading}\n\n${OFFLINE_REVISION_NOTE}\n\n${text}\n`;
}

/** The reply's text: a knowledge edit's revised document, a draft from the passages, or (a step with no retrieve context) from the input text itself. */
function offlineReply(request: ProviderCall['request']): string {
  if (request.revision) return composeOfflineRevision(request.prompt, request.revision);
  const schema = request.outputSchema;
  if (request.draftsFrom === 'input') {
    const notes = composeOfflineNotes(request.prompt);
    if (!schema) return offlineNotesText(notes);
    // The object's text fields take the summary (marked as offline), its lists the action items.
    return JSON.stringify(composeOfflineObject(schema, request.prompt, `${OFFLINE_NOTES_MARK} ${notes.summary}`, notes.actionItems));
  }
  const draft = composeOfflineText(request.prompt, request.passages);
  // With an output schema the draft fills the object's text fields; the reply is its JSON.
  return schema ? JSON.stringify(composeOfflineObject(schema, request.prompt, draft)) : draft;
}

export async function callOffline(call: ProviderCall): Promise<ProviderReply> {
  const text = offlineReply(call.request);
  return {
    text,
    model: OFFLINE_MODEL,
    // No tokenizer offline; words are the documented stand-in so usage is never zero or invented.
    usage: { inputTokens: countWords(`${call.prompt.system}\n${call.prompt.user}`), outputTokens: countWords(text) },
  };
}
