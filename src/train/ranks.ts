// A tensor narrowed to its rank (tf.Tensor2D, tf.Tensor4D, ...) by a check at run time: the type follows from the
// check (a type guard), so the fast training code needs no casts.
import { tf } from "../tf";

function isRank1(t: tf.Tensor): t is tf.Tensor1D {
  return t.rank === 1;
}
function isRank2(t: tf.Tensor): t is tf.Tensor2D {
  return t.rank === 2;
}
function isRank4(t: tf.Tensor): t is tf.Tensor4D {
  return t.rank === 4;
}

/** Rank checks whose errors name `who` (the code that expected the rank). */
export function ranks(who: string): {
  rank1: (t: tf.Tensor) => tf.Tensor1D;
  rank2: (t: tf.Tensor) => tf.Tensor2D;
  rank4: (t: tf.Tensor) => tf.Tensor4D;
} {
  const wrong = (rank: number, t: tf.Tensor): Error => new Error(`${who}: expected a rank-${rank} tensor, got shape ${t.shape}`);
  return {
    rank1: (t) => {
      if (!isRank1(t)) throw wrong(1, t);
      return t;
    },
    rank2: (t) => {
      if (!isRank2(t)) throw wrong(2, t);
      return t;
    },
    rank4: (t) => {
      if (!isRank4(t)) throw wrong(4, t);
      return t;
    },
  };
}
