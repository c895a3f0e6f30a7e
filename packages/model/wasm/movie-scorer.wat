;; Exact 32-bit scores of one user against every movie with WebAssembly SIMD (f32x4, two accumulators).
;; Source of packages/model/src/lib/movie-scorer.wasm; rebuild with `node tools/wasm/build.mjs`.
;;
;; Memory (imported) holds the user vector u, the movie factors q (one row of kBytes per movie, a
;; multiple of 32 bytes, zero padded), the movie biases b and the output. For every movie i in [0, n):
;;   out[i] = (base + b[i]) + sum over lanes of (u . q_i)
;; The caller passes byte addresses; nothing is allocated.
(module
  (import "env" "mem" (memory 0))
  (func $score (export "score")
    (param $u i32) (param $q i32) (param $b i32) (param $out i32) (param $n i32) (param $kBytes i32) (param $base f32)
    (local $i i32) (local $f i32) (local $qp i32) (local $acc v128) (local $acc2 v128)
    (local.set $qp (local.get $q))
    (block $done
      (loop $movies
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc2 (local.tee $acc (v128.const i32x4 0 0 0 0)))
        (local.set $f (i32.const 0))
        ;; 8 factors a step
        (loop $factors
          (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul
              (v128.load align=1 (i32.add (local.get $u) (local.get $f)))
              (v128.load align=1 (i32.add (local.get $qp) (local.get $f))))))
          (local.set $acc2 (f32x4.add (local.get $acc2)
            (f32x4.mul
              (v128.load offset=16 align=1 (i32.add (local.get $u) (local.get $f)))
              (v128.load offset=16 align=1 (i32.add (local.get $qp) (local.get $f))))))
          (br_if $factors (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 32))) (local.get $kBytes))))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (local.get $base) (f32.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))
            (f32.add
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                (f32x4.extract_lane 2 (local.get $acc)))
              (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $kBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $movies)))))
