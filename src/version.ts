// The library's version, read from package.json so there is one source of truth.
import { readFileSync } from "fs";
import { join } from "path";

/** The dl-by-hand version, shown by 00-welcome. */
export const version: string = (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
