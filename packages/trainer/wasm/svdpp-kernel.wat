;; SGD kernels of SVD++ (biased MF with the implicit user term) with WebAssembly SIMD (f32x4).
;; Source of packages/trainer/src/lib/svdpp-kernel.wasm; rebuild with node packages/trainer/wasm/build.mjs
;;
;; Memory (imported, shared between worker threads) holds every array; the caller passes byte
;; addresses. Factor rows have `stride` floats (a multiple of 8, zero padded: padding stays zero).
;; User rows: P (p_u), Z (z_u = |N(u)|^-1/2 sum_{j in N(u)} y_j, fixed during an epoch's SGD) and
;; G (g_u = sum of e q_i over the user's ratings this epoch). Movie rows: Q (q_i) and Y (y_j).
;; One epoch (svdpp-parallel.ts) = `sgd` over the strata of the grid, then `yupd` over all movies,
;; then `zsum` over all users (which also zeroes G for the next epoch and gives the validation's z_u).

(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; For users u in [uStart, uEnd): z_u = norm_u * sum_{n in [uOff[u], uOff[u+1])} Y[uMov[n]]; g_u = 0.
  (func (export "zsum")
    (param $uStart i32) (param $uEnd i32) (param $uOff i32) (param $uMov i32)
    (param $Y i32) (param $Z i32) (param $G i32) (param $norm i32) (param $stride i32)
    (local $u i32) (local $n i32) (local $end i32) (local $f i32) (local $rowBytes i32)
    (local $zu i32) (local $gu i32) (local $yj i32) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $u (local.get $uStart))
    (block $done
      (loop $users
        (br_if $done (i32.ge_u (local.get $u) (local.get $uEnd)))
        (local.set $zu (i32.add (local.get $Z) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $gu (i32.add (local.get $G) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $f (i32.const 0))
        (loop $zero
          (v128.store (i32.add (local.get $zu) (local.get $f)) (v128.const i32x4 0 0 0 0))
          (v128.store (i32.add (local.get $gu) (local.get $f)) (v128.const i32x4 0 0 0 0))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $zero (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $n (i32.load (i32.add (local.get $uOff) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $uOff) (i32.shl (local.get $u) (i32.const 2)))))
        (block $noItems
          (loop $items
            (br_if $noItems (i32.ge_u (local.get $n) (local.get $end)))
            (local.set $yj (i32.add (local.get $Y)
              (i32.mul (i32.load (i32.add (local.get $uMov) (i32.shl (local.get $n) (i32.const 2)))) (local.get $rowBytes))))
            (local.set $f (i32.const 0))
            (loop $add
              (v128.store (i32.add (local.get $zu) (local.get $f))
                (f32x4.add (v128.load (i32.add (local.get $zu) (local.get $f))) (v128.load (i32.add (local.get $yj) (local.get $f)))))
              (v128.store offset=16 (i32.add (local.get $zu) (local.get $f))
                (f32x4.add (v128.load offset=16 (i32.add (local.get $zu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $yj) (local.get $f)))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $add (i32.lt_u (local.get $f) (local.get $rowBytes))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $items)))
        (local.set $s (f32x4.splat (f32.load (i32.add (local.get $norm) (i32.shl (local.get $u) (i32.const 2))))))
        (local.set $f (i32.const 0))
        (loop $scale
          (v128.store (i32.add (local.get $zu) (local.get $f)) (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $zu) (local.get $f)))))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $scale (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $users))))

  ;; For each row n in [start, end) of the rating columns (users i32, movies i32, ratings f32):
  ;;   e   = r - (mu + bu[u] + bi[i] + (p_u + z_u) . q_i)
  ;;   bu += lr (e - regB bu);   bi += lr (e - regB bi)
  ;;   p_u = (1 - lr reg) p_u + lr e q_i;   q_i = (1 - lr reg) q_i + lr e (p_u + z_u);   g_u += e q_i
  ;; (all from the old p_u and q_i). Returns the sum of e^2 (errors before each update) as f64.
  (func (export "sgd")
    (param $us i32) (param $ms i32) (param $rs i32) (param $start i32) (param $end i32)
    (param $P i32) (param $Z i32) (param $G i32) (param $Q i32) (param $bu i32) (param $bi i32) (param $stride i32)
    (param $mu f32) (param $lr f32) (param $reg f32) (param $regB f32)
    (result f64)
    (local $n i32) (local $uo i32) (local $pu i32) (local $zu i32) (local $gu i32) (local $qi i32) (local $f i32) (local $rowBytes i32)
    (local $bua i32) (local $bia i32) (local $e f32) (local $b f32) (local $sse f64)
    (local $acc0 v128) (local $acc1 v128) (local $p v128) (local $q v128)
    (local $le v128) (local $ev v128) (local $decay v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $decay (f32x4.splat (f32.sub (f32.const 1) (f32.mul (local.get $lr) (local.get $reg)))))
    (local.set $n (local.get $start))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $bua (i32.load (i32.add (local.get $us) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $bia (i32.load (i32.add (local.get $ms) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $uo (i32.mul (local.get $bua) (local.get $rowBytes)))
        (local.set $pu (i32.add (local.get $P) (local.get $uo)))
        (local.set $zu (i32.add (local.get $Z) (local.get $uo)))
        (local.set $gu (i32.add (local.get $G) (local.get $uo)))
        (local.set $qi (i32.add (local.get $Q) (i32.mul (local.get $bia) (local.get $rowBytes))))
        (local.set $bua (i32.add (local.get $bu) (i32.shl (local.get $bua) (i32.const 2))))
        (local.set $bia (i32.add (local.get $bi) (i32.shl (local.get $bia) (i32.const 2))))
        ;; (p_u + z_u) . q_i, two accumulators, 8 floats per iteration
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $f (i32.const 0))
        (loop $dot
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul
              (f32x4.add (v128.load (i32.add (local.get $pu) (local.get $f))) (v128.load (i32.add (local.get $zu) (local.get $f))))
              (v128.load (i32.add (local.get $qi) (local.get $f))))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul
              (f32x4.add (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $zu) (local.get $f))))
              (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))))
          (local.set $f (i32.add (local.get $f) (i32.const 32)))
          (br_if $dot (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        (local.set $e
          (f32.sub
            (f32.load (i32.add (local.get $rs) (i32.shl (local.get $n) (i32.const 2))))
            (f32.add
              (f32.add (f32.add (local.get $mu) (f32.load (local.get $bua))) (f32.load (local.get $bia)))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
        (local.set $sse (f64.add (local.get $sse) (f64.promote_f32 (f32.mul (local.get $e) (local.get $e)))))
        (local.set $b (f32.load (local.get $bua)))
        (f32.store (local.get $bua) (f32.add (local.get $b) (f32.mul (local.get $lr) (f32.sub (local.get $e) (f32.mul (local.get $regB) (local.get $b))))))
        (local.set $b (f32.load (local.get $bia)))
        (f32.store (local.get $bia) (f32.add (local.get $b) (f32.mul (local.get $lr) (f32.sub (local.get $e) (f32.mul (local.get $regB) (local.get $b))))))
        (local.set $le (f32x4.splat (f32.mul (local.get $lr) (local.get $e))))
        (local.set $ev (f32x4.splat (local.get $e)))
        (local.set $f (i32.const 0))
        (loop $upd
          (local.set $p (v128.load (i32.add (local.get $pu) (local.get $f))))
          (local.set $q (v128.load (i32.add (local.get $qi) (local.get $f))))
          (v128.store (i32.add (local.get $pu) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $p)) (f32x4.mul (local.get $le) (local.get $q))))
          (v128.store (i32.add (local.get $qi) (local.get $f))
            (f32x4.add (f32x4.mul (local.get $decay) (local.get $q))
              (f32x4.mul (local.get $le) (f32x4.add (local.get $p) (v128.load (i32.add (local.get $zu) (local.get $f)))))))
          (v128.store (i32.add (local.get $gu) (local.get $f))
            (f32x4.add (v128.load (i32.add (local.get $gu) (local.get $f))) (f32x4.mul (local.get $ev) (local.get $q))))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $upd (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows)))
    (local.get $sse))

  ;; For movies j in [mStart, mEnd): y_j = decayY[j] y_j + lrY * sum_{n in [mOff[j], mOff[j+1])} norm[u] g_u, u = mUsr[n].
  ;; decayY[j] = (1 - lrY regY)^|N(j)|: the per-visit weight decay of every user who rated j, applied at once.
  (func (export "yupd")
    (param $mStart i32) (param $mEnd i32) (param $mOff i32) (param $mUsr i32)
    (param $G i32) (param $Y i32) (param $norm i32) (param $decayY i32) (param $lrY f32) (param $stride i32)
    (local $j i32) (local $n i32) (local $end i32) (local $u i32) (local $f i32) (local $rowBytes i32)
    (local $yj i32) (local $gu i32) (local $c v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $j (local.get $mStart))
    (block $done
      (loop $movies
        (br_if $done (i32.ge_u (local.get $j) (local.get $mEnd)))
        (local.set $yj (i32.add (local.get $Y) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $c (f32x4.splat (f32.load (i32.add (local.get $decayY) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $f (i32.const 0))
        (loop $decay
          (v128.store (i32.add (local.get $yj) (local.get $f)) (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $yj) (local.get $f)))))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $decay (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $n (i32.load (i32.add (local.get $mOff) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $mOff) (i32.shl (local.get $j) (i32.const 2)))))
        (block $noUsers
          (loop $users
            (br_if $noUsers (i32.ge_u (local.get $n) (local.get $end)))
            (local.set $u (i32.load (i32.add (local.get $mUsr) (i32.shl (local.get $n) (i32.const 2)))))
            (local.set $gu (i32.add (local.get $G) (i32.mul (local.get $u) (local.get $rowBytes))))
            (local.set $c (f32x4.splat (f32.mul (local.get $lrY) (f32.load (i32.add (local.get $norm) (i32.shl (local.get $u) (i32.const 2)))))))
            (local.set $f (i32.const 0))
            (loop $add
              (v128.store (i32.add (local.get $yj) (local.get $f))
                (f32x4.add (v128.load (i32.add (local.get $yj) (local.get $f))) (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $gu) (local.get $f))))))
              (v128.store offset=16 (i32.add (local.get $yj) (local.get $f))
                (f32x4.add (v128.load offset=16 (i32.add (local.get $yj) (local.get $f)))
                  (f32x4.mul (local.get $c) (v128.load offset=16 (i32.add (local.get $gu) (local.get $f))))))
              (local.set $f (i32.add (local.get $f) (i32.const 32)))
              (br_if $add (i32.lt_u (local.get $f) (local.get $rowBytes))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $users)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $movies))))

  ;; Sum of squared errors over rows [start, end) of predictions mu + bu + bi + (p_u + z_u) . q_i clipped
  ;; to [lo, hi] (no update): the validation RMSE of the folded model for rows whose user and movie are known.
  (func (export "sse")
    (param $us i32) (param $ms i32) (param $rs i32) (param $start i32) (param $end i32)
    (param $P i32) (param $Z i32) (param $Q i32) (param $bu i32) (param $bi i32) (param $stride i32) (param $mu f32)
    (param $lo f32) (param $hi f32)
    (result f64)
    (local $n i32) (local $u i32) (local $i i32) (local $pu i32) (local $zu i32) (local $qi i32) (local $f i32) (local $rowBytes i32)
    (local $e f32) (local $sse f64) (local $acc0 v128) (local $acc1 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $n (local.get $start))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $u (i32.load (i32.add (local.get $us) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $i (i32.load (i32.add (local.get $ms) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $pu (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $zu (i32.add (local.get $Z) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $qi (i32.add (local.get $Q) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $f (i32.const 0))
        (loop $dot
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul
              (f32x4.add (v128.load (i32.add (local.get $pu) (local.get $f))) (v128.load (i32.add (local.get $zu) (local.get $f))))
              (v128.load (i32.add (local.get $qi) (local.get $f))))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul
              (f32x4.add (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $zu) (local.get $f))))
              (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))))
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
