// Panel 4: the clock (freeze, advance, resume) and the settings.

import { call } from "./api.js";
import { $, fail, say } from "./dom.js";

const SETTINGS = ["strict", "retainStopped", "idStyle", "maxBody"];

export function init() {
  $("clock-freeze").addEventListener("click", () => {
    const at = $("clock-at").value.trim();
    setClock(call("PUT", "/clock", at ? { now: at } : { frozen: true }));
  });
  $("clock-advance").addEventListener("click", () => {
    const seconds = Number($("clock-seconds").value);
    setClock(call("POST", "/clock/advance", { seconds }));
  });
  $("clock-resume").addEventListener("click", () => setClock(call("PUT", "/clock", { frozen: false })));
  $("settings-save").addEventListener("click", save);
}

export async function load() {
  showClock(await call("GET", "/clock"));
  showSettings(await call("GET", "/settings"));
}

async function setClock(answer) {
  try {
    showClock(await answer);
    say(`clock: ${$("clock-now").textContent} ${$("clock-frozen").textContent}`);
  } catch (error) {
    fail(error);
  }
}

function showClock(clock) {
  $("clock-now").textContent = clock.now;
  $("clock-frozen").textContent = clock.frozen ? "(frozen)" : "(running)";
}

function showSettings(settings) {
  $("set-strict").checked = settings.strict;
  $("set-retainStopped").checked = settings.retainStopped;
  $("set-idStyle").value = settings.idStyle;
  $("set-maxBody").value = settings.maxBody;
}

async function save() {
  const patch = {};
  for (const name of SETTINGS) {
    const input = $(`set-${name}`);
    patch[name] = input.type === "checkbox" ? input.checked : input.type === "number" ? Number(input.value)
      : input.value;
  }
  try {
    showSettings(await call("PATCH", "/settings", patch));
    say("settings saved");
  } catch (error) {
    fail(error);
  }
}
