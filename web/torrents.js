// The torrent pages of the web UI (app.js routes to them): browse and search with filters, a
// torrent's detail (files, NFO, MediaInfo, tags, peer counts, download link), the upload form, and
// the moderation queue for staff. Text from the API is always set as textContent, never as HTML.
"use strict";

const perPage = 25;
let searchPage = 1;
let searchSeq = 0;  // only the latest search may fill the table, whatever order answers arrive in

function cell(row, text) {
  const td = document.createElement("td");
  if (text instanceof Node) td.append(text); else td.textContent = text;
  row.append(td);
  return td;
}

function link(text, href) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

async function fillCategories(select, withAll) {
  const { categories } = await api("GET", "/categories");
  select.replaceChildren();
  if (withAll) select.append(new Option("All categories", ""));
  for (const c of categories) {
    if (!withAll && !c.allow_uploads) continue;
    select.append(new Option((c.parent_id === null ? "" : "· ") + c.name, c.slug));
  }
}

function searchQuery(form) {
  const q = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") { if (el.checked) q.set(el.name, "1"); } else if (el.value) q.set(el.name, el.value);
  }
  if (q.get("sort") && q.get("sort") !== "name") q.set("order", "desc");
  q.set("page", searchPage);
  q.set("per_page", perPage);
  return q;
}

async function runSearch() {
  const mine = ++searchSeq;
  const r = await api("GET", `/torrents?${searchQuery($("search-form"))}`);
  if (mine !== searchSeq) return;
  const body = $("results").tBodies[0];
  body.replaceChildren();
  for (const t of r.torrents) {
    const row = body.insertRow();
    const name = cell(row, link(t.name, "#torrent/" + t.id));
    if (t.freeleech_percentage > 0) name.append(" ", Object.assign(document.createElement("span"), { className: "flag", textContent: "FL" }));
    cell(row, t.category);
    cell(row, bytes(t.size));
    cell(row, t.seeders);
    cell(row, t.leechers);
    cell(row, t.times_completed);
  }
  const total = r.pagination.total;
  const pages = Math.max(1, Math.ceil(total / perPage));
  $("page-info").textContent = `page ${searchPage} of ${pages} · ${total} torrent${total === 1 ? "" : "s"}`;
  $("prev-page").disabled = searchPage <= 1;
  $("next-page").disabled = searchPage >= pages;
}

pages.torrents = async () => {
  const select = $("search-form").category;
  if (select.options.length <= 1) await fillCategories(select, true);
  show("torrents-view");
  await runSearch();
};

pages.torrent = async (id) => {
  const t = await api("GET", `/torrents/${encodeURIComponent(id)}`);
  $("t-name").textContent = t.name;
  const flags = [];
  if (t.freeleech_percentage > 0) flags.push(`Freeleech ${t.freeleech_percentage}%` + (t.freeleech_until ? ` until ${t.freeleech_until}` : ""));
  if (t.double_upload) flags.push("Double upload" + (t.double_upload_until ? ` until ${t.double_upload_until}` : ""));
  // A v2-only torrent's info_hash is its v2 hash truncated (what clients announce).
  if (t.info_hash_v2) flags.push(t.info_hash === t.info_hash_v2.slice(0, 40) ? "v2" : "v1 + v2");
  $("t-flags").textContent = flags.join(" · ");
  $("t-size").textContent = bytes(t.size) + ` in ${t.file_count} file${t.file_count === 1 ? "" : "s"}`;
  $("t-seeders").textContent = t.seeders;
  $("t-leechers").textContent = t.leechers;
  $("t-completed").textContent = t.times_completed;
  $("t-category").textContent = t.category;
  $("t-uploader").textContent = t.anonymous || !t.uploader ? "Anonymous" : t.uploader;
  const media = [t.resolution, t.source, t.video_codec, t.audio_codec, t.hdr_format, t.container].filter((v) => v);
  $("t-media").textContent = media.length ? media.join(" · ") : "unknown";
  $("t-release-group").textContent = t.release_group || "unknown";
  $("t-status").textContent = t.status === "approved" ? "" : `(${t.status})`;
  $("t-download").href = `/api/v1/torrents/${t.id}/download`;
  $("t-download").hidden = !me.rights.includes("can_download");
  $("t-description").textContent = t.description;
  $("t-tags").textContent = t.tags.length ? t.tags.join(", ") : "none";
  const files = $("t-files").tBodies[0];
  files.replaceChildren();
  for (const f of t.files) {
    const row = files.insertRow();
    cell(row, f.path);
    cell(row, bytes(f.size));
  }
  $("t-nfo").textContent = t.nfo || "none";
  $("t-mediainfo").textContent = t.mediainfo || "none";
  show("torrent-view");
};

pages.upload = async () => {
  const form = $("upload-form");
  if (form.category.options.length === 0) await fillCategories(form.category, false);
  show("upload-view");
};

pages.queue = async () => {
  const r = await api("GET", "/moderation/torrents?per_page=100");
  const body = $("queue").tBodies[0];
  body.replaceChildren();
  for (const t of r.torrents) {
    const row = body.insertRow();
    cell(row, link(t.name, "#torrent/" + t.id));
    cell(row, t.category);
    cell(row, bytes(t.size));
    cell(row, t.uploader || "");
    const actions = cell(row, "");
    for (const action of ["approve", "reject", "postpone"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = action[0].toUpperCase() + action.slice(1);
      b.addEventListener("click", async () => {
        const body = { action };
        if (action === "reject") {
          const reason = prompt("Reason for the uploader:");
          if (!reason) return;
          body.reason = reason;
        }
        try {
          await api("POST", `/torrents/${t.id}/moderation`, body);
          say(`${t.name}: ${action === "postpone" ? "postponed" : action + "d"}.`);
          await pages.queue();
        } catch (e) {
          say(e.message, true);
        }
      });
      actions.append(b, " ");
    }
  }
  show("queue-view");
};

$("search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  searchPage = 1;
  try { await runSearch(); } catch (e) { say(e.message, true); }
});

for (const [id, step] of [["prev-page", -1], ["next-page", 1]]) {
  $(id).addEventListener("click", async () => {
    searchPage += step;
    try { await runSearch(); } catch (e) { say(e.message, true); }
  });
}

$("upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData();
  for (const el of ev.target.elements) {
    if (!el.name) continue;
    if (el.type === "file") form.append(el.name, el.files[0]);
    else if (el.type === "checkbox") { if (el.checked) form.append(el.name, "true"); }
    else if (el.value !== "") form.append(el.name, el.value);
  }
  try {
    const t = await api("POST", "/torrents", form);
    ev.target.reset();
    flash = t.status === "pending" ? "Uploaded: it waits for a moderator." : "Uploaded.";
    location.hash = "torrent/" + t.id;
  } catch (e) {
    say(e.message, true);
  }
});
