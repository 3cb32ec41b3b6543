// The little XML the File service writes: escaped text, and names that XML cannot carry sent
// percent-encoded with `Encoded="true"`, as the service does.

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/F). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `<Tag>text</Tag>`, or `<Tag Encoded="true">percent-encoded</Tag>` when XML cannot carry it. */
export function encodedElement(tag: string, text: string): string {
  if (NOT_XML.test(text)) {
    return `<${tag} Encoded="true">${escapeXml(encodeURIComponent(text))}</${tag}>`;
  }
  return `<${tag}>${escapeXml(text)}</${tag}>`;
}

export function element(tag: string, text: string | number | boolean): string {
  return `<${tag}>${escapeXml(String(text))}</${tag}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
