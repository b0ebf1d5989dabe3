/* Hum It Out web app: live progress on "My tracks", and the track page's player (waveform via
   wavesurfer.js on the <audio> element, a Web Audio stem mixer kept in sync with it, chords and
   lyrics that follow playback). Without JavaScript the page still has <audio controls> and plain
   download links. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fmt(s) {
    s = Math.max(0, Math.floor(s || 0));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  /* ---- My tracks: poll each hum still in the pipeline ---------------------------------- */
  function pollHum(card) {
    var url = card.getAttribute("data-progress");
    var stages = card.querySelectorAll(".stages li");
    var badge = card.querySelector("[data-role=status]");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) { return setTimeout(tick, 5000); }
          badge.textContent = p.label;
          badge.className = "badge " + p.status;
          stages.forEach(function (li, i) {
            li.className = p.status === "completed" || i < p.stage ? "done" : (i === p.stage && p.status !== "failed" ? "now" : "todo");
          });
          if (p.done) { return refreshCard(card); }
          setTimeout(tick, 1500);
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    tick();
  }

  function refreshCard(card) {
    // Re-render this hum from the server: facts, versions and links of the finished track.
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector('.hum[data-session="' + card.getAttribute("data-session") + '"]');
        if (fresh) { card.replaceWith(document.importNode(fresh, true)); }
      });
  }

  document.querySelectorAll(".hum[data-progress]").forEach(pollHum);

  // A hum phoned in while this page is open appears on its own (checked every 10 s while visible).
  var list = document.querySelector("ul.hums");
  if (list) {
    setInterval(function () {
      if (document.visibilityState !== "visible") { return; }
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = Array.prototype.slice.call(doc.querySelectorAll(".hum[data-session]")).reverse();
          fresh.forEach(function (card) {
            if (list.querySelector('.hum[data-session="' + card.getAttribute("data-session") + '"]')) { return; }
            var added = document.importNode(card, true);
            list.insertBefore(added, list.firstChild);
            var empty = document.getElementById("no-hums");
            if (empty) { empty.remove(); }
            if (added.hasAttribute("data-progress")) { pollHum(added); }
          });
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }, 10000);
  }

  /* ---- Track page -------------------------------------------------------------------------- */
  var audio = document.getElementById("audio");
  if (!audio) { return; }
  var dataEl = document.getElementById("track-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : { chords: [], lyrics: [] };
  var transport = document.getElementById("transport");
  var playBtn = document.getElementById("play");
  var nowEl = document.getElementById("now");
  var totalEl = document.getElementById("total");
  var chordNow = document.getElementById("chord-now");
  var chordEls = Array.prototype.slice.call(document.querySelectorAll("#chords li"));
  var wordEls = Array.prototype.slice.call(document.querySelectorAll("#lyrics span"));
  var waveEl = document.getElementById("waveform");
  var hio = window.hio = { audio: audio, firstAudioMs: null, mixer: null };
  transport.hidden = false;

  var ws = null;
  if (window.WaveSurfer) {
    ws = window.WaveSurfer.create({
      container: waveEl, media: audio, height: 64, barWidth: 2, barGap: 1, barRadius: 2,
      waveColor: "#4b5675", progressColor: "#8fb4ff", cursorColor: "#eceef4", cursorWidth: 2,
      peaks: [new Float32Array(256).fill(0.03)]  // a quiet line until the stems are decoded
    });
    hio.ws = ws;
  }
  waveEl.setAttribute("role", "slider");
  waveEl.setAttribute("tabindex", "0");
  waveEl.setAttribute("aria-label", "Position in the song (arrow keys move 5 seconds)");
  waveEl.setAttribute("aria-valuemin", "0");
  waveEl.addEventListener("keydown", function (ev) {
    var d = audio.duration || 0, t = audio.currentTime;
    var to = { ArrowLeft: t - 5, ArrowRight: t + 5, Home: 0, End: d - 0.1 }[ev.key];
    if (to === undefined) { return; }
    ev.preventDefault();
    audio.currentTime = Math.max(0, Math.min(d, to));
  });

  document.addEventListener("keydown", function (ev) {
    // Space plays/pauses unless focus is on something that uses the key itself.
    if (ev.key !== " " || /^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(ev.target.tagName) || ev.target.isContentEditable) { return; }
    ev.preventDefault();
    playBtn.click();
  });
  playBtn.addEventListener("click", function () {
    if (mixer.ctx) { mixer.ctx.resume(); }
    if (audio.paused) { audio.play(); } else { audio.pause(); }
  });
  audio.addEventListener("play", function () {
    playBtn.setAttribute("aria-pressed", "true");
    playBtn.setAttribute("aria-label", "Pause");
    loop();
  });
  audio.addEventListener("playing", function () {
    if (hio.firstAudioMs === null) { hio.firstAudioMs = performance.now(); }
  });
  audio.addEventListener("pause", function () {
    playBtn.setAttribute("aria-pressed", "false");
    playBtn.setAttribute("aria-label", "Play");
  });
  audio.addEventListener("loadedmetadata", function () {
    totalEl.textContent = fmt(audio.duration);
    waveEl.setAttribute("aria-valuemax", String(Math.round(audio.duration)));
  });
  audio.addEventListener("timeupdate", render);
  audio.addEventListener("seeked", render);

  chordEls.forEach(function (li) {
    li.setAttribute("tabindex", "0");
    li.setAttribute("role", "button");
    li.setAttribute("aria-label", "Play from chord " + li.querySelector("b").textContent);
    function go() { audio.currentTime = parseFloat(li.getAttribute("data-t")); }
    li.addEventListener("click", go);
    li.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
  });

  function lastAtOrBefore(els, t) {
    var found = -1;
    for (var i = 0; i < els.length; i++) {
      if (parseFloat(els[i].getAttribute("data-t")) <= t + 0.03) { found = i; } else { break; }
    }
    return found;
  }

  var lastChord = -2, lastWord = -2;
  function render() {
    var t = audio.currentTime;
    nowEl.textContent = fmt(t);
    waveEl.setAttribute("aria-valuenow", String(Math.round(t)));
    waveEl.setAttribute("aria-valuetext", fmt(t) + " of " + fmt(audio.duration));
    var c = lastAtOrBefore(chordEls, t);
    if (c !== lastChord) {
      chordEls.forEach(function (li, i) { li.classList.toggle("on", i === c); });
      chordNow.textContent = c >= 0 ? chordEls[c].querySelector("b").textContent : "";
      if (c >= 0) {
        var strip = chordEls[c].parentElement, li = chordEls[c];
        strip.scrollLeft = li.offsetLeft - strip.offsetLeft - strip.clientWidth / 2 + li.clientWidth / 2;
      }
      lastChord = c;
    }
    var w = lastAtOrBefore(wordEls, t);
    if (w !== lastWord) {
      wordEls.forEach(function (s, i) { s.classList.toggle("on", i === w); s.classList.toggle("past", i < w); });
      lastWord = w;
    }
  }

  var looping = false;
  function loop() {
    if (looping) { return; }
    looping = true;
    (function frame() {
      render();
      mixer.sync();
      mixer.meters();
      if (audio.paused) { looping = false; mixer.meters(true); return; }
      requestAnimationFrame(frame);
    })();
  }

  /* ---- Stem mixer: one AudioBufferSourceNode per stem, started together ------------------ */
  var mixerEl = document.getElementById("mixer");
  var AC = window.AudioContext || window.webkitAudioContext;
  var mixer = {
    ctx: null, ready: false, loading: null, channels: [], sources: [], startCtx: 0, startOffset: 0, lastResync: 0,
    sync: function () {}, meters: function () {}
  };
  hio.mixer = mixer;
  if (mixerEl && AC && window.fetch) {
    mixerEl.hidden = false;
    var status = document.getElementById("mixer-status");
    mixer.channels = Array.prototype.slice.call(mixerEl.querySelectorAll(".channel")).map(function (li) {
      return { li: li, name: li.getAttribute("data-name"), url: li.getAttribute("data-url"),
               mute: li.querySelector(".mute"), solo: li.querySelector(".solo"), buffer: null, gain: null,
               analyser: null, bins: null };
    });
    hio.mixer.gainOf = function (name) {
      var ch = mixer.channels.find(function (c) { return c.name === name; });
      return ch && ch.gain ? ch.gain.gain.value : null;
    };

    var applyGains = function () {
      var anySolo = mixer.channels.some(function (c) { return c.solo.getAttribute("aria-pressed") === "true"; });
      mixer.channels.forEach(function (c) {
        var on = anySolo ? c.solo.getAttribute("aria-pressed") === "true" : c.mute.getAttribute("aria-pressed") !== "true";
        c.li.setAttribute("data-gain", on ? "1" : "0");
        if (c.gain) { c.gain.gain.setTargetAtTime(on ? 1 : 0, mixer.ctx.currentTime, 0.015); }
      });
    };

    var load = function () {
      if (mixer.loading) { return mixer.loading; }
      mixer.ctx = new AC();
      var done = 0;
      status.textContent = "Loading stems… 0/" + mixer.channels.length;
      mixer.loading = Promise.all(mixer.channels.map(function (c) {
        return fetch(c.url, { mode: "cors", credentials: "omit" })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.arrayBuffer(); })
          .then(function (bytes) { return mixer.ctx.decodeAudioData(bytes); })
          .then(function (buffer) {
            c.buffer = buffer;
            c.gain = mixer.ctx.createGain();
            c.analyser = mixer.ctx.createAnalyser();
            c.analyser.fftSize = 256;
            c.bins = new Float32Array(c.analyser.fftSize);
            c.gain.connect(c.analyser);
            c.analyser.connect(mixer.ctx.destination);
            status.textContent = "Loading stems… " + (++done) + "/" + mixer.channels.length;
          });
      })).then(function () {
        mixer.ready = true;
        applyGains();
        drawWave();
        audio.muted = true;  // the element keeps the clock (and the waveform); the stems make the sound
        status.textContent = "Stems in sync: mute or solo any of them";
        if (!audio.paused) { start(audio.currentTime); }
      }).catch(function () {
        status.textContent = "The mixer could not load the stems here; the full mix still plays.";
        mixer.channels.forEach(function (c) { c.mute.disabled = true; c.solo.disabled = true; });
        audio.muted = false;
      });
      return mixer.loading;
    };

    var stop = function () {
      mixer.sources.forEach(function (s) { try { s.stop(); } catch (e) { /* already stopped */ } s.disconnect(); });
      mixer.sources = [];
    };
    var start = function (offset) {
      stop();
      if (!mixer.ready) { return; }
      var at = mixer.ctx.currentTime + 0.03;
      mixer.channels.forEach(function (c) {
        if (offset >= c.buffer.duration) { return; }
        var s = mixer.ctx.createBufferSource();
        s.buffer = c.buffer;
        s.connect(c.gain);
        s.start(at, offset);
        mixer.sources.push(s);
      });
      mixer.startCtx = at;
      mixer.startOffset = offset;
      mixer.lastResync = performance.now();
    };
    mixer.sync = function () {
      // Follow the element's clock: restart the stems where it is if they drift apart (> 80 ms).
      if (!mixer.ready || audio.paused || !mixer.sources.length) { return; }
      var expected = mixer.startOffset + (mixer.ctx.currentTime - mixer.startCtx);
      if (Math.abs(expected - audio.currentTime) > 0.08 && performance.now() - mixer.lastResync > 1000) {
        start(audio.currentTime);
      }
    };
    mixer.meters = function (reset) {
      mixer.channels.forEach(function (c) {
        var bar = c.li.querySelector(".meter i");
        if (!c.analyser || reset) { bar.style.width = "0"; return; }
        c.analyser.getFloatTimeDomainData(c.bins);
        var sum = 0;
        for (var i = 0; i < c.bins.length; i++) { sum += c.bins[i] * c.bins[i]; }
        bar.style.width = Math.min(100, Math.sqrt(sum / c.bins.length) * 400) + "%";
      });
    };

    var drawWave = function () {
      // The waveform of the sum of the stems (= the full mix), from the decoded audio.
      if (!ws) { return; }
      var n = 1200, duration = 0;
      mixer.channels.forEach(function (c) { duration = Math.max(duration, c.buffer.duration); });
      var peaks = new Float32Array(n);
      mixer.channels.forEach(function (c) {
        if (c.name === "your-hum") { return; }
        var x = c.buffer.getChannelData(0), step = x.length / n;
        for (var i = 0; i < n; i++) {
          var m = 0, end = Math.min(x.length, Math.floor((i + 1) * step));
          for (var j = Math.floor(i * step); j < end; j += 8) { var v = Math.abs(x[j]); if (v > m) { m = v; } }
          peaks[i] += m;
        }
      });
      var top = 0;
      for (var k = 0; k < n; k++) { if (peaks[k] > top) { top = peaks[k]; } }
      for (k = 0; k < n; k++) { peaks[k] = top ? peaks[k] / top : 0; }
      ws.load(audio.currentSrc || audio.src, [peaks], duration);
    };

    audio.addEventListener("play", function () {
      load().then(function () { if (!audio.paused) { mixer.ctx.resume(); start(audio.currentTime); } });
    });
    audio.addEventListener("pause", stop);
    audio.addEventListener("ended", stop);
    audio.addEventListener("seeked", function () { if (!audio.paused) { start(audio.currentTime); } });
    mixer.channels.forEach(function (c) {
      [c.mute, c.solo].forEach(function (btn) {
        btn.addEventListener("click", function () {
          btn.setAttribute("aria-pressed", btn.getAttribute("aria-pressed") === "true" ? "false" : "true");
          applyGains();
          load();
        });
      });
    });
    if (data.eagerStems) {
      window.addEventListener("load", function () { load(); });
    }
  }
})();
