// Progressive enhancement for a meeting's page (templates/meetings/meeting_detail.html) and the handout
// (referral.html): each next start in the visitor's own zone as well, when it differs from the meeting's, as the
// finder's results show it. Without this file the pages name the meeting's zone, which is always right.
let zone = "";
try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { /* no zone: nothing to add */ }

// The meeting's UTC offset at its start, in minutes, from the time's ISO form ("…T18:00:00+01:00").
const offset = (iso) => {
  const match = /([+-])(\d\d):(\d\d)$/.exec(iso || "");
  return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : null;
};
const language = document.documentElement.lang || undefined;

for (const when of document.querySelectorAll(".when[data-zone]")) {
  const time = when.querySelector("time[datetime]");
  const start = time ? new Date(time.dateTime) : null;
  // Only when the clock differs: not for Detroit's visitor at a New York meeting, nor Asia/Calcutta's in Kolkata.
  if (!time || !zone || zone === when.dataset.zone || offset(time.dateTime) === -start.getTimezoneOffset()) continue;
  const part = (options, type) =>
    new Intl.DateTimeFormat(language, { timeZone: zone, ...options }).formatToParts(start).find((p) => p.type === type)?.value || "";
  const words = (when.dataset.yourTime || "%(day)s %(time)s your time (%(zone)s)")
    .replace("%(day)s", new Intl.DateTimeFormat(language, { timeZone: zone, weekday: "long" }).format(start))
    .replace("%(time)s", new Intl.DateTimeFormat(language, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(start))
    .replace("%(zone)s", part({ timeZoneName: "short" }, "timeZoneName") || zone);
  const shown = Object.assign(document.createElement("span"), { className: "visitor-time", textContent: words });
  when.querySelector(".zone")?.after(document.createElement("br"), shown);
}
