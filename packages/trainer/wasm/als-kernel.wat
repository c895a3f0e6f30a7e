;; Conjugate-gradient row solves of implicit ALS with WebAssembly SIMD (f32x4).
;; Source of packages/trainer/src/lib/als-kernel.wasm; rebuild with
;;   node tools/wasm/build.mjs   (wabt from npm; no system toolchain)
;;
;; Memory (imported, shared between worker threads) holds every array; the caller passes byte
;; addresses. Vectors have `stride` floats (a multiple of 8, zero padded; the padding stays zero
;; because G, V and x are zero there). For every row g in [rowFrom, rowTo), with the row's entries
;; n in offsets[g]..offsets[g+1] (others i32 = row of V, conf f32 = confidence c):
;;   A = G + reg I + sum (c - 1) v vT,  b = sum c v      (A is never formed)
;;   x = X[g] (warm start); r = b - A x; p = r; then up to `steps` CG steps while r.r > 1e-20:
;;   alpha = r.r / p.Ap;  x += alpha p;  r -= alpha Ap;  p = r + (r'.r' / r.r) p
;;   X[g] = x.   A row without entries gets x = 0.
;; The same arithmetic as als-cg-kernel.js but in float32 (G is float32 here, stride x stride).
;; The per-entry dot and axpy of the two item passes are inlined (one loop pair per entry).
;; scratch: 4 vectors (x, r, p, Ap) of stride floats, 16-byte aligned.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; a . b over `bytes` bytes (a multiple of 32)
  (func $dot (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $f i32) (local $acc0 v128) (local $acc1 v128)
    (local.set $acc0 (v128.const i32x4 0 0 0 0))
    (local.set $acc1 (v128.const i32x4 0 0 0 0))
    (loop $l
      (local.set $acc0 (f32x4.add (local.get $acc0)
        (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $f))) (v128.load (i32.add (local.get $b) (local.get $f))))))
      (local.set $acc1 (f32x4.add (local.get $acc1)
        (f32x4.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $f))) (v128.load offset=16 (i32.add (local.get $b) (local.get $f))))))
      (local.set $f (i32.add (local.get $f) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $f) (local.get $bytes))))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))

  ;; y += s x
  (func $axpy (param $y i32) (param $x i32) (param $s f32) (param $bytes i32)
    (local $f i32) (local $sv v128)
    (local.set $sv (f32x4.splat (local.get $s)))
    (loop $l
      (v128.store (i32.add (local.get $y) (local.get $f))
        (f32x4.add (v128.load (i32.add (local.get $y) (local.get $f)))
          (f32x4.mul (local.get $sv) (v128.load (i32.add (local.get $x) (local.get $f))))))
      (v128.store offset=16 (i32.add (local.get $y) (local.get $f))
        (f32x4.add (v128.load offset=16 (i32.add (local.get $y) (local.get $f)))
          (f32x4.mul (local.get $sv) (v128.load offset=16 (i32.add (local.get $x) (local.get $f))))))
      (local.set $f (i32.add (local.get $f) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $f) (local.get $bytes)))))

  ;; p = r + beta p
  (func $xpby (param $p i32) (param $r i32) (param $beta f32) (param $bytes i32)
    (local $f i32) (local $bv v128)
    (local.set $bv (f32x4.splat (local.get $beta)))
    (loop $l
      (v128.store (i32.add (local.get $p) (local.get $f))
        (f32x4.add (v128.load (i32.add (local.get $r) (local.get $f)))
          (f32x4.mul (local.get $bv) (v128.load (i32.add (local.get $p) (local.get $f))))))
      (v128.store offset=16 (i32.add (local.get $p) (local.get $f))
        (f32x4.add (v128.load offset=16 (i32.add (local.get $r) (local.get $f)))
          (f32x4.mul (local.get $bv) (v128.load offset=16 (i32.add (local.get $p) (local.get $f))))))
      (local.set $f (i32.add (local.get $f) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $f) (local.get $bytes)))))

  ;; dst = s src
  (func $scale (param $dst i32) (param $src i32) (param $s f32) (param $bytes i32)
    (local $f i32) (local $sv v128)
    (local.set $sv (f32x4.splat (local.get $s)))
    (loop $l
      (v128.store (i32.add (local.get $dst) (local.get $f))
        (f32x4.mul (local.get $sv) (v128.load (i32.add (local.get $src) (local.get $f)))))
      (v128.store offset=16 (i32.add (local.get $dst) (local.get $f))
        (f32x4.mul (local.get $sv) (v128.load offset=16 (i32.add (local.get $src) (local.get $f)))))
      (local.set $f (i32.add (local.get $f) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $f) (local.get $bytes)))))

  ;; out = G v + reg v   (G: stride rows of `bytes` bytes)
  (func $gemv (param $out i32) (param $G i32) (param $v i32) (param $reg f32) (param $bytes i32)
    (local $a i32) (local $row i32)
    (local.set $row (local.get $G))
    (loop $l
      (f32.store (i32.add (local.get $out) (local.get $a))
        (f32.add (call $dot (local.get $row) (local.get $v) (local.get $bytes))
          (f32.mul (local.get $reg) (f32.load (i32.add (local.get $v) (local.get $a))))))
      (local.set $row (i32.add (local.get $row) (local.get $bytes)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $a) (local.get $bytes)))))

  (func (export "cg_rows")
    (param $G i32) (param $V i32) (param $stride i32) (param $offsets i32) (param $others i32) (param $conf i32)
    (param $reg f32) (param $X i32) (param $rowFrom i32) (param $rowTo i32) (param $steps i32) (param $scratch i32)
    (local $bytes i32) (local $x i32) (local $r i32) (local $p i32) (local $ap i32)
    (local $g i32) (local $n i32) (local $to i32) (local $xo i32) (local $o i32) (local $step i32)
    (local $f i32) (local $acc0 v128) (local $acc1 v128) (local $wv v128)
    (local $c f32) (local $w f32) (local $rs f32) (local $rsNew f32) (local $pap f32) (local $alpha f32)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $x (local.get $scratch))
    (local.set $r (i32.add (local.get $x) (local.get $bytes)))
    (local.set $p (i32.add (local.get $r) (local.get $bytes)))
    (local.set $ap (i32.add (local.get $p) (local.get $bytes)))
    (local.set $g (local.get $rowFrom))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $g) (local.get $rowTo)))
        (local.set $n (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $g) (i32.const 2)))))
        (local.set $to (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $g) (i32.const 2)))))
        (local.set $xo (i32.add (local.get $X) (i32.mul (local.get $g) (local.get $bytes))))
        (block $solved
          (if (i32.ge_s (local.get $n) (local.get $to))
            (then
              (call $scale (local.get $xo) (local.get $xo) (f32.const 0) (local.get $bytes))
              (br $solved)))
          (call $scale (local.get $x) (local.get $xo) (f32.const 1) (local.get $bytes))
          ;; r = -(G + reg I) x + sum (c - (c - 1) v.x) v
          (call $gemv (local.get $r) (local.get $G) (local.get $x) (local.get $reg) (local.get $bytes))
          (call $scale (local.get $r) (local.get $r) (f32.const -1) (local.get $bytes))
          (local.set $o (local.get $n))
          (loop $res
            (local.set $c (f32.load (i32.add (local.get $conf) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $step (i32.add (local.get $V)
              (i32.mul (i32.load (i32.add (local.get $others) (i32.shl (local.get $o) (i32.const 2)))) (local.get $bytes))))
            (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $f (i32.const 0))
            (loop $dot
              (local.set $acc0 (f32x4.add (local.get $acc0)
                (f32x4.mul (v128.load (i32.add (local.get $step) (local.get $f))) (v128.load (i32.add (local.get $x) (local.get $f))))))
              (local.set $acc1 (f32x4.add (local.get $acc1)
                (f32x4.mul (v128.load offset=16 (i32.add (local.get $step) (local.get $f))) (v128.load offset=16 (i32.add (local.get $x) (local.get $f))))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $dot (i32.lt_u (local.get $f) (local.get $bytes))))
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
            (local.set $w (f32.sub (local.get $c) (f32.mul (f32.sub (local.get $c) (f32.const 1)) (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
            (local.set $wv (f32x4.splat (local.get $w)))
            (local.set $f (i32.const 0))
            (loop $axpy
              (v128.store (i32.add (local.get $r) (local.get $f))
                (f32x4.add (v128.load (i32.add (local.get $r) (local.get $f)))
                  (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $step) (local.get $f))))))
              (v128.store offset=16 (i32.add (local.get $r) (local.get $f))
                (f32x4.add (v128.load offset=16 (i32.add (local.get $r) (local.get $f)))
                  (f32x4.mul (local.get $wv) (v128.load offset=16 (i32.add (local.get $step) (local.get $f))))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $axpy (i32.lt_u (local.get $f) (local.get $bytes))))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br_if $res (i32.lt_u (local.get $o) (local.get $to))))
          (local.set $rs (call $dot (local.get $r) (local.get $r) (local.get $bytes)))
          (call $scale (local.get $p) (local.get $r) (f32.const 1) (local.get $bytes))
          (local.set $step (i32.const 0))
          (block $converged
            (loop $cg
              (br_if $converged (i32.ge_s (local.get $step) (local.get $steps)))
              (br_if $converged (i32.eqz (f32.gt (local.get $rs) (f32.const 1e-20))))
              ;; ap = (G + reg I) p + sum (c - 1)(v.p) v
              (call $gemv (local.get $ap) (local.get $G) (local.get $p) (local.get $reg) (local.get $bytes))
              (local.set $o (local.get $n))
              (loop $items
                (local.set $c (f32.load (i32.add (local.get $conf) (i32.shl (local.get $o) (i32.const 2)))))
                (local.set $xo (i32.add (local.get $V)
                  (i32.mul (i32.load (i32.add (local.get $others) (i32.shl (local.get $o) (i32.const 2)))) (local.get $bytes))))
                (local.set $acc0 (v128.const i32x4 0 0 0 0))
            (local.set $acc1 (v128.const i32x4 0 0 0 0))
            (local.set $f (i32.const 0))
            (loop $dot
              (local.set $acc0 (f32x4.add (local.get $acc0)
                (f32x4.mul (v128.load (i32.add (local.get $xo) (local.get $f))) (v128.load (i32.add (local.get $p) (local.get $f))))))
              (local.set $acc1 (f32x4.add (local.get $acc1)
                (f32x4.mul (v128.load offset=16 (i32.add (local.get $xo) (local.get $f))) (v128.load offset=16 (i32.add (local.get $p) (local.get $f))))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $dot (i32.lt_u (local.get $f) (local.get $bytes))))
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
            (local.set $w (f32.mul (f32.sub (local.get $c) (f32.const 1)) (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0))))))
            (local.set $wv (f32x4.splat (local.get $w)))
            (local.set $f (i32.const 0))
            (loop $axpy
              (v128.store (i32.add (local.get $ap) (local.get $f))
                (f32x4.add (v128.load (i32.add (local.get $ap) (local.get $f)))
                  (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $xo) (local.get $f))))))
              (v128.store offset=16 (i32.add (local.get $ap) (local.get $f))
                (f32x4.add (v128.load offset=16 (i32.add (local.get $ap) (local.get $f)))
                  (f32x4.mul (local.get $wv) (v128.load offset=16 (i32.add (local.get $xo) (local.get $f))))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $axpy (i32.lt_u (local.get $f) (local.get $bytes))))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br_if $items (i32.lt_u (local.get $o) (local.get $to))))
              (local.set $pap (call $dot (local.get $p) (local.get $ap) (local.get $bytes)))
              (br_if $converged (i32.eqz (f32.gt (local.get $pap) (f32.const 0))))
              (local.set $alpha (f32.div (local.get $rs) (local.get $pap)))
              (call $axpy (local.get $x) (local.get $p) (local.get $alpha) (local.get $bytes))
              (call $axpy (local.get $r) (local.get $ap) (f32.neg (local.get $alpha)) (local.get $bytes))
              (local.set $rsNew (call $dot (local.get $r) (local.get $r) (local.get $bytes)))
              (call $xpby (local.get $p) (local.get $r) (f32.div (local.get $rsNew) (local.get $rs)) (local.get $bytes))
              (local.set $rs (local.get $rsNew))
              (local.set $step (i32.add (local.get $step) (i32.const 1)))
              (br $cg)))
          (local.set $xo (i32.add (local.get $X) (i32.mul (local.get $g) (local.get $bytes))))
          (call $scale (local.get $xo) (local.get $x) (f32.const 1) (local.get $bytes)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $rows))))
)
