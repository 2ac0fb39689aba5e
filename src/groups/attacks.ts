// dl.attacks — when CNNs fail: verdicts, input gradients, adversarial examples (FGSM), model inversion (10-when-cnns-fail).
export { classify, inputGradient, fgsm, invertClasses } from "../train/attacks";
export type { Verdict, Adversarial, FgsmOptions, InversionOptions } from "../train/attacks";
