// Marks the frame that paints the line: the time the benchmark compares the dashboard's first
// rows with.
requestAnimationFrame(() => performance.mark('bench-window:painted'));
