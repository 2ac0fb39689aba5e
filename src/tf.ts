// The one place the library loads TensorFlow.js, so every module shares one quiet instance.
import * as tf from "@tensorflow/tfjs";

// Production mode silences tfjs's console warnings (the "Hi, looks like you are running
// TensorFlow.js in Node.js" banner among them): nbgrader scores a cell that writes to stderr 0.
tf.enableProdMode();

// The plain JavaScript 'cpu' backend is ready at once; other backends registered later (the wasm
// backend of the fast training module) would otherwise take over and need `await tf.ready()` first.
// Notebooks that train switch explicitly with `await dl.useFastBackend()`.
void tf.setBackend("cpu");

export { tf };
