// dl.dropout — dropout by hand in the bar engine: the mask, inverted scaling, training vs evaluation (12-generalisation-and-hyperparameters).
export { dropout as apply, dropoutWithMask as withMask, dropoutMask as mask } from "../dropout";
export type { DropoutOptions } from "../dropout";
