// The Swarmline web UI: sign in, register, confirm the e-mail, and the member's profile with
// transfer statistics and announce URL; torrents.js adds the torrent pages (its routes in pages). The session is an HttpOnly cookie set by the API, so this
// script never sees the token; every call goes to /api/v1 on the same origin.
"use strict";

const $ = (id) => document.getElementById(id);
// Signed-in pages by the first part of the location hash (#torrent/ID -> pages.torrent("ID")).
const pages = {};
let me = null;
// A message for the next page shown (route() clears the previous page's message).
let flash = "";

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) {
    init.body = body;  // multipart/form-data with its boundary, set by the browser
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch("/api/v1" + path, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const err = new Error((data.error && data.error.message) || res.statusText);
    err.code = data.error && data.error.code;
    err.status = res.status;
    throw err;
  }
  return data;
}

function show(view) {
  for (const v of document.querySelectorAll("main > section")) v.hidden = v.id !== view;
}

function say(text, isError) {
  const m = $("message");
  m.textContent = text;
  m.className = isError ? "error" : "";
  m.hidden = !text;
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(2)) + " " + units[i];
}

function formData(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.value !== "") out[el.name] = el.value;
  }
  return out;
}

async function signedIn() {
  me = await api("GET", "/me");
  $("nav").hidden = false;
  $("nav-user").textContent = me.username;
  $("nav-queue").hidden = !me.rights.includes("can_moderate");
}

function showProfile() {
  $("profile-name").textContent = me.username;
  $("profile-group").textContent = me.group.name + (me.two_factor_enabled ? " · two-factor on" : "");
  $("stat-up").textContent = bytes(me.stats.uploaded_adjusted);
  $("stat-down").textContent = bytes(me.stats.downloaded_adjusted);
  $("stat-ratio").textContent = me.stats.ratio === null ? "∞" : me.stats.ratio.toFixed(3);
  $("stat-seeding").textContent = me.stats.seeding;
  $("stat-leeching").textContent = me.stats.leeching;
  $("stat-bonus").textContent = Math.floor(me.stats.bonus_points);
  $("announce-url").textContent = me.announce_url;
  show("profile-view");
}

async function route() {
  say(flash);
  flash = "";
  const hash = location.hash.replace("#", "");
  if (hash === "register") return show("register-view");
  if (hash === "verify") return show("verify-view");
  try {
    await signedIn();
  } catch (e) {
    $("nav").hidden = true;
    show("login-view");
    if (e.status !== 401) say(e.message, true);
    return;
  }
  const [page, arg] = hash.split("/");
  try {
    if (pages[page]) await pages[page](arg);
    else showProfile();
  } catch (e) {
    say(e.message, true);
  }
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api("POST", "/auth/login", formData(ev.target));
    ev.target.reset();
    $("totp-row").hidden = true;
    location.hash = "";
    await route();
  } catch (e) {
    if (e.code === "totp_required") {
      $("totp-row").hidden = false;
      say("Enter the code from your authenticator app.");
    } else {
      say(e.message, true);
    }
  }
});

$("register-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api("POST", "/auth/register", formData(ev.target));
    ev.target.reset();
    location.hash = "verify";
    say("Registered. We sent a confirmation code to your e-mail address.");
  } catch (e) {
    say(e.message, true);
  }
});

$("verify-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api("POST", "/auth/verify-email", formData(ev.target));
    location.hash = "login";
    say("E-mail confirmed. You can sign in now.");
  } catch (e) {
    say(e.message, true);
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/auth/logout"); } catch (e) { /* the session is gone either way */ }
  location.hash = "";
  await route();
});

$("copy-announce").addEventListener("click", async () => {
  await navigator.clipboard.writeText($("announce-url").textContent);
  say("Announce URL copied.");
});

$("reset-passkey").addEventListener("click", async () => {
  if (!confirm("Issue a new passkey? Torrents in your client must be updated with the new announce URL.")) return;
  try {
    const r = await api("POST", "/me/passkey");
    $("announce-url").textContent = r.announce_url;
    say("New passkey issued.");
  } catch (e) {
    say(e.message, true);
  }
});

window.addEventListener("hashchange", route);
api("GET", "/site").then((s) => {
  const name = s.settings && s.settings["site.name"];
  if (name) { $("site-name").textContent = name; document.title = name; }
}).catch(() => {});
// After every deferred script (torrents.js) has added its pages.
document.addEventListener("DOMContentLoaded", route);
