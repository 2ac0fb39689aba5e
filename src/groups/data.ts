// dl.data — the course's data: MNIST digits, photographs, the X-and-O images, the worked examples, seeded random numbers
// (04-convolution-by-hand, 05-kernel-gallery, 07-pooling-relu-x-vs-o, 09-training-lenet-mnist).
export { loadMnist, mnistDigit, loadPhoto, imageToMatrix, loadXAndO, loadWorkedExamples, exampleMatrix } from "../datasets";
export type { MnistData, MnistSplit, PhotoName, ImageArray, DatasetOptions, XAndO, WorkedExample } from "../datasets";
export { seededRandom } from "../random";
export type { Random } from "../random";
