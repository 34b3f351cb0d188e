-- The kept periods' medians and 90th percentiles that were not reached:
-- each is its entity's longest wait, which grew by the clock's move
-- (incremental.sql, _patch). In hours: the wait is a whole number of
-- seconds over 3,600, so it is taken back to seconds, moved, and divided
-- again, as metrics.sql computes it; in deadline days it is a count.
UPDATE metrics SET
    km_median_h = CASE WHEN km_median_more THEN (round(km_median_h * 3600) + p.seconds) / 3600.0 ELSE km_median_h END,
    km_p90_h = CASE WHEN km_p90_more THEN (round(km_p90_h * 3600) + p.seconds) / 3600.0 ELSE km_p90_h END,
    km_median_days = CASE WHEN km_median_days_more THEN km_median_days + p.days ELSE km_median_days END,
    km_p90_days = CASE WHEN km_p90_days_more THEN km_p90_days + p.days ELSE km_p90_days END
FROM _patch p
WHERE metrics.period_kind = p.period_kind AND metrics.period = p.period
  AND (metrics.km_median_more OR metrics.km_p90_more OR metrics.km_median_days_more OR metrics.km_p90_days_more);
