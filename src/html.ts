// HTML escaping, the one helper for every piece of HTML the library and the course tools write.

/** `text` safe inside HTML elements and quoted attributes: & < > " ' escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
