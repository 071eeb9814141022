// Polling: each panel reads its part of the admin API about once a second while the page
// is visible, one read at a time, and can be asked to read again at once (after a change).
// The "live" indicator in the header says whether the last reads worked, and why not.

const failures = new Map();

function showHealth() {
  const live = document.getElementById("live");
  if (live === null) return;
  const [first] = failures.entries();
  live.classList.toggle("down", first !== undefined);
  live.textContent = first === undefined ? "live" : `${first[0]}: ${first[1]}`;
  live.title = first === undefined ? "Every panel is up to date" : [...failures].map(([n, m]) => `${n}: ${m}`).join("\n");
}

/** One panel's reads: run() every `every` ms, again at once on refresh(). */
class Poller {
  constructor(name, every, run) {
    this.name = name;
    this.every = every;
    this.run = run;
    this.again = false;
    this.wake = null;
  }

  start() {
    this.loop();
    return this;
  }

  refresh() {
    if (this.wake !== null) this.wake();
    else this.again = true;
  }

  async loop() {
    for (;;) {
      this.again = false;
      if (!document.hidden) {
        try {
          await this.run();
          failures.delete(this.name);
        } catch (error) {
          failures.set(this.name, error instanceof Error ? error.message : String(error));
        }
        showHealth();
      }
      if (this.again) continue;
      await new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
        const timer = setTimeout(done, this.every);
        this.wake = done;
      });
    }
  }
}

const all = [];

/** Start a poller, and read again at once whenever the page is shown again. */
export function poll(name, every, run) {
  const poller = new Poller(name, every, run).start();
  all.push(poller);
  return poller;
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) for (const poller of all) poller.refresh();
});
