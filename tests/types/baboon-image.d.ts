// The npm package `baboon-image` ships no types: it exports the 512×512×4 RGBA photograph as an ndarray.
declare module "baboon-image" {
  import type { NdArray } from "ndarray";
  const baboon: NdArray<Uint8Array>;
  export default baboon;
}
