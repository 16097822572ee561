"use client";

import { useEffect, useState } from "react";

/**
 * useNow is the current time in ms, re-read every intervalMs while ticking
 * is true, so durations of a running thing advance even when its data does
 * not change between polls (a refetch with identical data renders nothing).
 */
export function useNow(ticking: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const h = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(h);
  }, [ticking, intervalMs]);
  return now;
}
