// The same rule as speechlabel/waveform/snapping.py (which decides what is saved): the edge
// moves into the nearest pause within the tolerance, `inset` into it; inside one it stays.
export function snap(time, pauses, tolerance, inset) {
  let best = time;
  let bestDistance = tolerance + 1e-9;
  for (const [start, end] of pauses) {
    const margin = Math.min(inset, (end - start) / 2);
    const low = start + margin;
    const high = end - margin;
    if (low <= time && time <= high) return time;
    const target = time < low ? low : high;
    if (Math.abs(target - time) <= bestDistance) {
      best = target;
      bestDistance = Math.abs(target - time);
    }
  }
  return best;
}
