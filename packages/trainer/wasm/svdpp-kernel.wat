;; SGD kernels of SVD++ (biased MF with the implicit user term) with WebAssembly SIMD (f32x4).
;; Source of packages/trainer/src/lib/svdpp-kernel.wasm; rebuild with node tools/wasm/build.mjs
;;
;; Memory (imported, shared between worker threads) holds every array; the caller passes byte
;; addresses. Factor rows have `stride` floats (a multiple of 8, zero padded: padding stays zero).
;; The ratings are grouped by user: user u's are [uOff[u], uOff[u+1]) of uMov (movie) and uRat (rating).
;; `visits` is the usual fast SVD++ epoch over a list of users (svdpp-parallel.ts); `zsum` folds the
;; implicit term z_u = |N(u)|^-1/2 sum_{j in N(u)} y_j for the saved model and the validation RMSE.

(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; For users u in [uStart, uEnd): Z[u] = norm_u * sum_{n in [uOff[u], uOff[u+1])} Y[uMov[n]].
  (func (export "zsum")
    (param $uStart i32) (param $uEnd i32) (param $uOff i32) (param $uMov i32)
    (param $Y i32) (param $Z i32) (param $norm i32) (param $stride i32)
    (local $u i32) (local $n i32) (local $end i32) (local $f i32) (local $rowBytes i32)
    (local $zu i32) (local $yj i32) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $u (local.get $uStart))
    (block $done
      (loop $users
        (br_if $done (i32.ge_u (local.get $u) (local.get $uEnd)))
        (local.set $zu (i32.add (local.get $Z) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $f (i32.const 0))
        (loop $zero
          (v128.store (i32.add (local.get $zu) (local.get $f)) (v128.const i32x4 0 0 0 0))
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

  ;; One SGD visit per user, for the users order[o], o in [start, end) (Koren's SVD++, the fast form):
  ;;   z = |N(u)|^-1/2 sum_{j in N(u)} y_j;  g = 0
  ;;   for each rating (u, i, r) in the order perm gives (positions into uMov / uRat):
  ;;     e = r - (mu + bu + bi + (p_u + z) . q_i);   bu += lr (e - regB bu);   bi += lr (e - regB bi)
  ;;     p_u = (1 - lr reg) p_u + lr e q_i;   q_i = (1 - lr reg) q_i + lr e (p_u + z);   g += e q_i   (old p_u, q_i)
  ;;   for each j in N(u): y_j = (1 - lrY regY) y_j + lrY |N(u)|^-1/2 g
  ;; z and g are this worker's scratch rows. Returns the sum of e^2 (errors before each update) as f64.
  (func (export "visits")
    (param $order i32) (param $start i32) (param $end i32) (param $uOff i32) (param $uMov i32) (param $uRat i32) (param $perm i32)
    (param $P i32) (param $Q i32) (param $Y i32) (param $bu i32) (param $bi i32) (param $norm i32) (param $z i32) (param $g i32) (param $stride i32)
    (param $mu f32) (param $lr f32) (param $reg f32) (param $regB f32) (param $lrY f32) (param $regY f32)
    (result f64)
    (local $o i32) (local $u i32) (local $n i32) (local $from i32) (local $to i32) (local $at i32) (local $f i32) (local $rowBytes i32)
    (local $pu i32) (local $qi i32) (local $yj i32) (local $bua i32) (local $bia i32)
    (local $e f32) (local $b f32) (local $s f32) (local $sse f64)
    (local $acc0 v128) (local $acc1 v128) (local $p v128) (local $q v128) (local $le v128) (local $ev v128)
    (local $decay v128) (local $decayY v128) (local $c v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $decay (f32x4.splat (f32.sub (f32.const 1) (f32.mul (local.get $lr) (local.get $reg)))))
    (local.set $decayY (f32x4.splat (f32.sub (f32.const 1) (f32.mul (local.get $lrY) (local.get $regY)))))
    (local.set $o (local.get $start))
    (block $done
      (loop $users
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $u (i32.load (i32.add (local.get $order) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (local.set $from (i32.load (i32.add (local.get $uOff) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $to (i32.load offset=4 (i32.add (local.get $uOff) (i32.shl (local.get $u) (i32.const 2)))))
        (br_if $users (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (f32.load (i32.add (local.get $norm) (i32.shl (local.get $u) (i32.const 2)))))
        ;; z = sum of y_j, g = 0
        (local.set $f (i32.const 0))
        (loop $zero
          (v128.store (i32.add (local.get $z) (local.get $f)) (v128.const i32x4 0 0 0 0))
          (v128.store (i32.add (local.get $g) (local.get $f)) (v128.const i32x4 0 0 0 0))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $zero (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $n (local.get $from))
        (loop $sum
          (local.set $yj (i32.add (local.get $Y)
            (i32.mul (i32.load (i32.add (local.get $uMov) (i32.shl (local.get $n) (i32.const 2)))) (local.get $rowBytes))))
          (local.set $f (i32.const 0))
          (loop $add
            (v128.store (i32.add (local.get $z) (local.get $f))
              (f32x4.add (v128.load (i32.add (local.get $z) (local.get $f))) (v128.load (i32.add (local.get $yj) (local.get $f)))))
            (local.set $f (i32.add (local.get $f) (i32.const 16)))
            (br_if $add (i32.lt_u (local.get $f) (local.get $rowBytes))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $sum (i32.lt_u (local.get $n) (local.get $to))))
        (local.set $c (f32x4.splat (local.get $s)))
        (local.set $f (i32.const 0))
        (loop $scale
          (v128.store (i32.add (local.get $z) (local.get $f)) (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $z) (local.get $f)))))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $scale (i32.lt_u (local.get $f) (local.get $rowBytes))))
        (local.set $pu (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $bua (i32.add (local.get $bu) (i32.shl (local.get $u) (i32.const 2))))
        ;; the user's ratings in the order perm gives
        (local.set $n (local.get $from))
        (loop $ratings
          (local.set $at (i32.load (i32.add (local.get $perm) (i32.shl (local.get $n) (i32.const 2)))))
          (local.set $bia (i32.load (i32.add (local.get $uMov) (i32.shl (local.get $at) (i32.const 2)))))
          (local.set $qi (i32.add (local.get $Q) (i32.mul (local.get $bia) (local.get $rowBytes))))
          (local.set $bia (i32.add (local.get $bi) (i32.shl (local.get $bia) (i32.const 2))))
          (local.set $acc0 (v128.const i32x4 0 0 0 0))
          (local.set $acc1 (v128.const i32x4 0 0 0 0))
          (local.set $f (i32.const 0))
          (loop $dot
            (local.set $acc0 (f32x4.add (local.get $acc0)
              (f32x4.mul
                (f32x4.add (v128.load (i32.add (local.get $pu) (local.get $f))) (v128.load (i32.add (local.get $z) (local.get $f))))
                (v128.load (i32.add (local.get $qi) (local.get $f))))))
            (local.set $acc1 (f32x4.add (local.get $acc1)
              (f32x4.mul
                (f32x4.add (v128.load offset=16 (i32.add (local.get $pu) (local.get $f))) (v128.load offset=16 (i32.add (local.get $z) (local.get $f))))
                (v128.load offset=16 (i32.add (local.get $qi) (local.get $f))))))
            (local.set $f (i32.add (local.get $f) (i32.const 32)))
            (br_if $dot (i32.lt_u (local.get $f) (local.get $rowBytes))))
          (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
          (local.set $e
            (f32.sub
              (f32.load (i32.add (local.get $uRat) (i32.shl (local.get $at) (i32.const 2))))
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
                (f32x4.mul (local.get $le) (f32x4.add (local.get $p) (v128.load (i32.add (local.get $z) (local.get $f)))))))
            (v128.store (i32.add (local.get $g) (local.get $f))
              (f32x4.add (v128.load (i32.add (local.get $g) (local.get $f))) (f32x4.mul (local.get $ev) (local.get $q))))
            (local.set $f (i32.add (local.get $f) (i32.const 16)))
            (br_if $upd (i32.lt_u (local.get $f) (local.get $rowBytes))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $ratings (i32.lt_u (local.get $n) (local.get $to))))
        ;; y_j = (1 - lrY regY) y_j + lrY s g for every j in N(u)
        (local.set $c (f32x4.splat (f32.mul (local.get $lrY) (local.get $s))))
        (local.set $n (local.get $from))
        (loop $implicit
          (local.set $yj (i32.add (local.get $Y)
            (i32.mul (i32.load (i32.add (local.get $uMov) (i32.shl (local.get $n) (i32.const 2)))) (local.get $rowBytes))))
          (local.set $f (i32.const 0))
          (loop $yupd
            (v128.store (i32.add (local.get $yj) (local.get $f))
              (f32x4.add (f32x4.mul (local.get $decayY) (v128.load (i32.add (local.get $yj) (local.get $f))))
                (f32x4.mul (local.get $c) (v128.load (i32.add (local.get $g) (local.get $f))))))
            (local.set $f (i32.add (local.get $f) (i32.const 16)))
            (br_if $yupd (i32.lt_u (local.get $f) (local.get $rowBytes))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $implicit (i32.lt_u (local.get $n) (local.get $to))))
        (br $users)))
    (local.get $sse))

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
