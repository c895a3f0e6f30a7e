;; SGD kernel of biased matrix factorisation with WebAssembly SIMD (f32x4).
;; Source of packages/trainer/src/lib/sgd-kernel.wasm; rebuild with
;;   node tools/wasm/build.mjs   (wabt from npm; no system toolchain)
;;
;; Memory (imported, shared between worker threads) holds every array; the caller passes byte
;; addresses. Factor rows have `stride` floats (a multiple of 8, zero padded: padding stays zero).
;; For each row n in [start, end) of the rating columns (users i32, movies i32, ratings f32):
;;   e   = r - (mu + bu[u] + bi[i] + p_u . q_i)
;;   bu += lr (e - regB bu);   bi += lr (e - regB bi)
;;   p_u = (1 - lr reg) p_u + lr e q_i;   q_i = (1 - lr reg) q_i + lr e p_u   (both from the old values)
;; Returns the sum of e^2 (errors before each update) as f64.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "sgd")
    (param $us i32) (param $ms i32) (param $rs i32) (param $start i32) (param $end i32)
    (param $P i32) (param $Q i32) (param $bu i32) (param $bi i32) (param $stride i32)
    (param $mu f32) (param $lr f32) (param $reg f32) (param $regB f32)
    (result f64)
    (local $n i32) (local $pu i32) (local $qi i32) (local $f i32) (local $rowBytes i32)
    (local $bua i32) (local $bia i32) (local $e f32) (local $b f32) (local $sse f64)
    (local $acc0 v128) (local $acc1 v128) (local $p0 v128) (local $q0 v128) (local $p1 v128) (local $q1 v128)
    (local $le v128) (local $decay v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $decay (f32x4.splat (f32.sub (f32.const 1) (f32.mul (local.get $lr) (local.get $reg)))))
    (local.set $n (local.get $start))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $n) (local.get $end)))
        ;; row addresses of p_u and q_i, and of the two biases
        (local.set $bua (i32.load (i32.add (local.get $us) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $bia (i32.load (i32.add (local.get $ms) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $pu (i32.add (local.get $P) (i32.mul (local.get $bua) (local.get $rowBytes))))
        (local.set $qi (i32.add (local.get $Q) (i32.mul (local.get $bia) (local.get $rowBytes))))
        (local.set $bua (i32.add (local.get $bu) (i32.shl (local.get $bua) (i32.const 2))))
        (local.set $bia (i32.add (local.get $bi) (i32.shl (local.get $bia) (i32.const 2))))
        ;; dot product, two accumulators, 8 floats per iteration
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $f (i32.const 0))
        (loop $dot
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (v128.load (i32.add (local.get $pu) (local.get $f))) (v128.load (i32.add (local.get $qi) (local.get $f))))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))))
          (local.set $f (i32.add (local.get $f) (i32.const 32)))
          (br_if $dot (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        ;; e = r - (mu + bu + bi + dot)
        (local.set $e
          (f32.sub
            (f32.load (i32.add (local.get $rs) (i32.shl (local.get $n) (i32.const 2))))
            (f32.add
              (f32.add (f32.add (local.get $mu) (f32.load (local.get $bua))) (f32.load (local.get $bia)))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
        (local.set $sse (f64.add (local.get $sse) (f64.promote_f32 (f32.mul (local.get $e) (local.get $e)))))
        ;; biases
        (local.set $b (f32.load (local.get $bua)))
        (f32.store (local.get $bua) (f32.add (local.get $b) (f32.mul (local.get $lr) (f32.sub (local.get $e) (f32.mul (local.get $regB) (local.get $b))))))
        (local.set $b (f32.load (local.get $bia)))
        (f32.store (local.get $bia) (f32.add (local.get $b) (f32.mul (local.get $lr) (f32.sub (local.get $e) (f32.mul (local.get $regB) (local.get $b))))))
        ;; factors
        (local.set $le (f32x4.splat (f32.mul (local.get $lr) (local.get $e))))
        (local.set $f (i32.const 0))
        (loop $upd
          (local.set $p0 (v128.load (i32.add (local.get $pu) (local.get $f))))
          (local.set $q0 (v128.load (i32.add (local.get $qi) (local.get $f))))
          (local.set $p1 (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))))
          (local.set $q1 (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))
          (v128.store (i32.add (local.get $pu) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $p0)) (f32x4.mul (local.get $le) (local.get $q0))))
          (v128.store (i32.add (local.get $qi) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $q0)) (f32x4.mul (local.get $le) (local.get $p0))))
          (v128.store offset=16 (i32.add (local.get $pu) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $p1)) (f32x4.mul (local.get $le) (local.get $q1))))
          (v128.store offset=16 (i32.add (local.get $qi) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $q1)) (f32x4.mul (local.get $le) (local.get $p1))))
          (local.set $f (i32.add (local.get $f) (i32.const 32)))
          (br_if $upd (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows)))
    (local.get $sse))

  ;; Sum of squared errors over rows [start, end) of predictions clipped to [lo, hi] (no update):
  ;; the validation RMSE of predictRating for rows whose user and movie are both known.
  (func (export "sse")
    (param $us i32) (param $ms i32) (param $rs i32) (param $start i32) (param $end i32)
    (param $P i32) (param $Q i32) (param $bu i32) (param $bi i32) (param $stride i32) (param $mu f32)
    (param $lo f32) (param $hi f32)
    (result f64)
    (local $n i32) (local $u i32) (local $i i32) (local $pu i32) (local $qi i32) (local $f i32) (local $rowBytes i32)
    (local $e f32) (local $sse f64) (local $acc0 v128) (local $acc1 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $n (local.get $start))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $u (i32.load (i32.add (local.get $us) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $i (i32.load (i32.add (local.get $ms) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $pu (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $qi (i32.add (local.get $Q) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $f (i32.const 0))
        (loop $dot
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (v128.load (i32.add (local.get $pu) (local.get $f))) (v128.load (i32.add (local.get $qi) (local.get $f))))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))))
          (local.set $f (i32.add (local.get $f) (i32.const 32)))
          (br_if $dot (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        (local.set $e
          (f32.sub
            (f32.load (i32.add (local.get $rs) (i32.shl (local.get $n) (i32.const 2))))
            (f32.min (local.get $hi) (f32.max (local.get $lo)
            (f32.add
              (f32.add (f32.add (local.get $mu) (f32.load (i32.add (local.get $bu) (i32.shl (local.get $u) (i32.const 2)))))
                (f32.load (i32.add (local.get $bi) (i32.shl (local.get $i) (i32.const 2)))))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))))
        (local.set $sse (f64.add (local.get $sse) (f64.promote_f32 (f32.mul (local.get $e) (local.get $e)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows)))
    (local.get $sse))
)
