/**
 * The text a synced file becomes (knowledge documents are text): Markdown and plain text as they
 * are; HTML converted by html-to-text (headings, paragraphs, lists and tables kept as lines; links
 * without their URLs; scripts, styles, images and navigation left out), headed by its `<title>`;
 * PDF read by unpdf (Mozilla's PDF.js), its pages' text in order, headed by its Title metadata.
 * The heading (`# …`) becomes the document's title, as a Markdown file's first heading does.
 */
import { convert } from 'html-to-text';
import { extractText, getDocumentProxy, getMeta } from 'unpdf';

/** The files a sync follows. */
export const SYNCED = /\.(md|markdown|txt|html?|pdf)$/i;

/** A file that holds no text a document can be made of (a scanned PDF, an empty page). */
export class NoTextError extends Error {}

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

function htmlText(html: string): string {
  const title = convert(html, { wordwrap: false, baseElements: { selectors: ['title'] } }).trim();
  const body = convert(html, {
    wordwrap: false,
    selectors: [
      ...HEADINGS,
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'table', format: 'dataTable' },
    ],
  }).trim();
  return title ? `# ${title}\n\n${body}` : body;
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocumentProxy(bytes);
  const { text } = await extractText(pdf, { mergePages: false });
  const { info } = (await getMeta(pdf)) as { info?: { Title?: unknown } };
  const title = typeof info?.Title === 'string' ? info.Title.trim() : '';
  const body = text.map((page) => page.trim()).filter(Boolean).join('\n\n');
  return title && body ? `# ${title}\n\n${body}` : body;
}

/** The document text of `fileName`'s bytes; throws NoTextError when there is none. */
export async function documentText(fileName: string, bytes: Buffer): Promise<string> {
  const kind = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const text = kind === 'pdf' ? await pdfText(new Uint8Array(bytes)) : kind === 'html' || kind === 'htm' ? htmlText(bytes.toString('utf8')) : bytes.toString('utf8');
  if (!text.trim()) throw new NoTextError(kind === 'pdf' ? 'no text in it (a scanned PDF has only images of text)' : 'no text in it');
  return text;
}
