// dl-by-hand: the public surface of the teaching library. Notebooks: import * as dl from "dl-by-hand".
export { version } from "./version";
export { check, checkTrue, checkThrows, CheckError, formatValue } from "./check";
export type { CheckOptions } from "./check";
export { display, newDisplayId, canDisplay, setDisplaySink } from "./display";
export type { MimeBundle, DisplaySink } from "./display";

// conv.ts — convolution by hand (04-convolution-by-hand, 05-channels-and-filters)
export { outputSize, outputSizeWorking } from "./conv";
export type { AxisOptions } from "./conv";
