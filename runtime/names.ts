/** @module Plain names, for what doubles as a file name and a URL segment: functions, and schedules. */

/** Function names double as file names and URL segments, so they stay plain; schedule names, parts of result file names, too. */
export const functionNamePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
