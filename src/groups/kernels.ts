// dl.kernels — the kernel gallery: the lectures' named kernels (small matrices) and what they do to a photograph
// (05-kernel-gallery).
export {
  kernelGallery as gallery,
  kernelNames as names,
  galleryKernel as entry,
  kernel as get,
  applyKernel as apply,
  describeKernel as describe,
} from "../kernels";
export type { KernelName, GalleryKernel, Border, DisplayScale, ApplyKernelOptions, FilteredImage } from "../kernels";
