;; Upper bounds of every movie's score from 8-bit movie factors, with WebAssembly SIMD
;; (i32x4.dot_i16x8_s). Source of packages/model/src/lib/movie-bounds.wasm; rebuild with
;; `node tools/wasm/build.mjs`.
;;
;; Memory (imported) holds the user vector u as int16 (kBytes*2 bytes), the movie factors q as int8
;; (kBytes per movie, a multiple of 32, zero padded), the movie biases b and scales s (f32), the
;; output and the list. For every movie i in [0, n):
;;   v = (base + b[i]) + s[i] * (float(u16 . q8_i) * uScale + err);  out[i] = v
;;   if v >= tau: list[count] = i while count < cap; count += 1
;; Returns count (it may exceed cap: the list is then cut).
(module
  (import "env" "mem" (memory 0))
  (func $bounds (export "bounds")
    (param $u i32) (param $q i32) (param $b i32) (param $s i32) (param $out i32) (param $n i32) (param $kBytes i32)
    (param $base f32) (param $uScale f32) (param $err f32) (param $tau f32) (param $list i32) (param $cap i32)
    (result i32)
    (local $i i32) (local $qp i32) (local $up i32) (local $uEnd i32) (local $count i32) (local $v f32)
    (local $acc v128) (local $acc2 v128) (local $x v128) (local $y v128)
    (local.set $qp (local.get $q))
    (local.set $uEnd (i32.add (local.get $u) (i32.shl (local.get $kBytes) (i32.const 1))))
    (block $done
      (loop $movies
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc2 (local.tee $acc (v128.const i32x4 0 0 0 0)))
        (local.set $up (local.get $u))
        ;; 32 int8 factors a step against 32 int16 user values
        (loop $factors
          (local.set $x (v128.load align=1 (local.get $qp)))
          (local.set $y (v128.load offset=16 align=1 (local.get $qp)))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load align=1 (local.get $up)))))
          (local.set $acc2 (i32x4.add (local.get $acc2)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 align=1 (local.get $up)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $y)) (v128.load offset=32 align=1 (local.get $up)))))
          (local.set $acc2 (i32x4.add (local.get $acc2)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $y)) (v128.load offset=48 align=1 (local.get $up)))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
          (br_if $factors (i32.lt_u (local.tee $up (i32.add (local.get $up) (i32.const 64))) (local.get $uEnd))))
        (local.set $acc (i32x4.add (local.get $acc) (local.get $acc2)))
        (local.set $v
          (f32.add
            (f32.add (local.get $base) (f32.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))
            (f32.mul
              (f32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))))
              (f32.add
                (f32.mul
                  (f32.convert_i32_s
                    (i32.add
                      (i32.add
                        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                        (i32x4.extract_lane 2 (local.get $acc)))
                      (i32x4.extract_lane 3 (local.get $acc))))
                  (local.get $uScale))
                (local.get $err)))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $v))
        (if (f32.ge (local.get $v) (local.get $tau))
          (then
            (if (i32.lt_u (local.get $count) (local.get $cap))
              (then
                (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $movies)))
    (local.get $count)))
