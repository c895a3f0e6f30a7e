;; x_u·B of one user with WebAssembly SIMD: the sum of the B rows of the movies the user rated, each
;; scaled by what its rating counts in x_u. Source of packages/model/src/lib/ease-sums.wasm; rebuild with
;; `node tools/wasm/build.mjs`.
;;
;; Memory (imported) holds the K-float sums, B (one row of kBytes per covered movie, a multiple of 16
;; bytes, zero padded), the byte addresses of the rows to add and their scales (f64). For r in [0, count):
;;   sums += xs[r] · row r
;; in row order, element by element exactly as JavaScript's `sums[b] += x * B[row + b]` on a Float32Array
;; rounds it: a scale of 1 adds in f32 (an f32 + f32 sum rounded once to f32 is what the f64 sum rounded
;; to f32 gives), any other scale multiplies and adds in f64 and rounds the result to f32.
(module
  (import "env" "mem" (memory 0))
  (func $addRows (export "addRows")
    (param $sums i32) (param $rows i32) (param $xs i32) (param $count i32) (param $kBytes i32)
    (local $r i32) (local $row i32) (local $x f64) (local $xx v128) (local $f i32) (local $s v128) (local $v v128)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $x (f64.load (i32.add (local.get $xs) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $f (i32.const 0))
        (if (f64.eq (local.get $x) (f64.const 1))
          (then
            (loop $plain
              (v128.store (i32.add (local.get $sums) (local.get $f))
                (f32x4.add
                  (v128.load (i32.add (local.get $sums) (local.get $f)))
                  (v128.load (i32.add (local.get $row) (local.get $f)))))
              (br_if $plain (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 16))) (local.get $kBytes)))))
          (else
            (local.set $xx (f64x2.splat (local.get $x)))
            (loop $scaled
              (local.set $s (v128.load (i32.add (local.get $sums) (local.get $f))))
              (local.set $v (v128.load (i32.add (local.get $row) (local.get $f))))
              (v128.store (i32.add (local.get $sums) (local.get $f))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (f32x4.demote_f64x2_zero
                    (f64x2.add (f64x2.promote_low_f32x4 (local.get $s))
                      (f64x2.mul (local.get $xx) (f64x2.promote_low_f32x4 (local.get $v)))))
                  (f32x4.demote_f64x2_zero
                    (f64x2.add
                      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s)))
                      (f64x2.mul (local.get $xx)
                        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))))
              (br_if $scaled (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 16))) (local.get $kBytes))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each)))))
