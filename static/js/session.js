// Before a therapist's or staff member's sign-in ends for inactivity, say so, with a button to
// stay signed in; once it has ended, say that a save is still kept. Pages work without it: a
// save after the end is kept by the server and put back after signing in (profiles.drafts).
(function () {
  "use strict";

  var body = document.body;
  var idle = Number(body.getAttribute("data-idle-seconds"));
  var warning = Number(body.getAttribute("data-warning-seconds"));
  var statusUrl = body.getAttribute("data-session-status-url");
  var box = document.getElementById("session-warning");
  var text = document.getElementById("session-warning-text");
  var stay = document.getElementById("session-stay");
  if (!idle || !statusUrl || !box || !text || !stay) {
    return;
  }
  var timer = null;
  var deadline = Date.now() + idle * 1000;

  function minutes(ms) {
    var left = Math.max(1, Math.ceil(ms / 60000));
    return left + (left === 1 ? " minute" : " minutes");
  }

  function later(ms, then) {
    window.clearTimeout(timer);
    timer = window.setTimeout(then, Math.max(ms, 1000));
  }

  function show(message, canStay) {
    box.hidden = false;
    stay.hidden = !canStay;
    if (text.textContent !== message) {
      text.textContent = message;
    }
  }

  function ended() {
    show(
      "You were signed out after a while without activity. What you typed is not lost: " +
        "save as usual, sign in again, and it is back in the form.",
      false
    );
  }

  // Ask the server how long is left (asking does not count as activity): another tab may
  // have kept the sign-in going.
  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        if (!status.signed_in || !status.seconds_left) {
          ended();
          return;
        }
        deadline = Date.now() + status.seconds_left * 1000;
        plan();
      })
      .catch(function () {
        // Offline, or the server did not answer: ask again in a minute.
        later(60000, check);
      });
  }

  function plan() {
    var left = deadline - Date.now();
    if (left <= 0) {
      // Past the time this page expected (a laptop asleep, say): the server says.
      check();
      return;
    }
    if (left <= warning * 1000) {
      show(
        "You will be signed out in about " + minutes(left) + " without activity. Nothing you " +
          "typed is saved until you save it.",
        true
      );
      later(Math.min(left, 60000), check);
    } else {
      box.hidden = true;
      later(left - warning * 1000, check);
    }
  }

  stay.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(stay.action, { method: "POST", credentials: "same-origin", body: new FormData(stay) })
      .then(function (response) {
        if (response.status === 204) {
          box.hidden = true;
          text.textContent = "";
          deadline = Date.now() + idle * 1000;
          plan();
        } else {
          ended();
        }
      })
      .catch(check);
  });

  plan();
})();
