// HTML escaping for every page the course tools write (slides, pages, home page, feedback): the library's one
// helper (src/html.ts), so the figures the library draws and the pages the tools write escape alike.
export { escapeHtml } from "../html";
