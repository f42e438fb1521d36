# ruff: noqa: E501  (the entries quote source lines whole)
"""Break one feature at a time, run the test meant to catch it, restore the code. One line per break.

    .venv/bin/python tests/breaks.py                 # every break below
    .venv/bin/python tests/breaks.py lanjut opt-out  # the breaks whose name contains one of these words

Each entry: what is broken, the file, the exact text replaced and its replacement, and the test that must fail.
A "MISSED" line means the net has a hole: write the test that catches it. Commit nothing while it runs (it edits
the source and puts it back). See docs/testing.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
BREAKS = [
    ("signature against request URL", "bot/web/webhooks.py",
     "url = twilio_in.signed_url(settings, request.url.path, request.url.query)", "url = str(request.url)",
     "tests/channels/test_whatsapp.py::test_signatures_are_checked_against_the_public_url_not_the_one_behind_the_proxy[sqlite]"),
    ("last_inbound_at not updated", "bot/messaging/batch.py",
     'set_={"last_inbound_at": upsert.excluded.last_inbound_at, ', "set_={",
     "tests/channels/test_whatsapp_window.py::test_a_contact_who_writes_again_after_30_hours_gets_free_text[sqlite]"),
    ("retry_after ignored", "bot/messaging/worker.py",
     "retry_after=failure.retry_after)", "retry_after=None)",
     "tests/channels/test_telegram.py::test_flood_control_waits_its_retry_after_for_that_chat_only[sqlite]"),
    ("opt-out not saved", "bot/messaging/effects.py",
     '            contact |= {"subscribed": effect.subscribed, "subscription_changed_at": utcnow()}', "            pass",
     "tests/channels/test_whatsapp.py::test_opt_out_is_saved_and_no_announcement_reaches_the_contact_until_opt_in[sqlite]"),
    ("long messages never split", "bot/messaging/outbox.py",
     "parts = split_body(body, limit) if limit else [body]", "parts = [body]",
     "tests/channels/test_telegram.py::test_a_long_message_goes_in_parts_within_the_limit_with_the_buttons_on_the_last[sqlite]"),
    ("lanjut loses the next pages", "handlers/types.py",
     "        data = asdict(self)\n", "        data = {k: v for k, v in asdict(self).items() if k != 'more'}\n",
     "tests/channels/test_whatsapp.py::test_the_next_page_is_sent_after_lanjut[sqlite]"),
    ("someone else's shared contact stored", "bot/channels/telegram/inbound.py",
     "    if sender_id is None or contact.user_id != sender_id:\n        return None, \"other\"",
     "    if False:\n        return None, \"other\"",
     "tests/channels/test_telegram.py::test_start_offers_the_phone_button_and_only_the_own_number_is_kept[sqlite]"),
    ("dead letter never reached", "bot/messaging/outbox.py",
     "if row.attempts >= max_attempts and retry_after is None:", "if False:",
     "tests/channels/test_whatsapp.py::test_a_message_is_dead_lettered_after_the_configured_attempts[sqlite]"),
    ("media size limit not checked", "bot/channels/whatsapp_twilio/media.py",
     "        if len(data) > cap:", "        if False:",
     "tests/channels/test_whatsapp.py::test_a_file_over_the_size_limit_is_refused_and_the_citizen_told"),
    ("media redirect to any host", "bot/channels/whatsapp_twilio/media.py",
     "    target = urlsplit(location)", "    return True\n    target = urlsplit(location)",
     "tests/channels/test_whatsapp.py::test_a_media_redirect_to_another_host_is_refused[sqlite]"),
    ("no pacing per Telegram chat", "bot/messaging/ratelimit.py",
     "        return 0.0 if last is None else max(0.0, last + self.interval - self.clock())", "        return 0.0",
     "tests/channels/test_telegram.py::test_one_message_per_second_per_chat[sqlite]"),
    ("any signature accepted", "bot/channels/whatsapp_twilio/inbound.py",
     "    if not url or not signature:\n        return False", "    return True",
     "tests/channels/test_whatsapp.py::test_forged_or_missing_signatures_change_nothing[sqlite]"),
    ("photo metadata kept", "bot/messaging/files.py",
     '    if content_type == "image/jpeg":\n        return _strip_jpeg(data)', "    return data",
     "tests/channels/test_whatsapp.py::test_a_photo_is_fetched_with_credentials_typed_and_stored_without_metadata[sqlite]"),
    ("bodies not counted", "bot/web/limits.py",
     "                if received > limit:", "                if False:",
     "tests/channels/test_hardening.py::test_chunked_bodies_are_refused_once_past_the_limit[sqlite]"),
    ("HTTP libraries not quieted", "bot/logs.py",
     '            **{name: {"level": quiet} for name in QUIET},', "",
     "tests/bot/test_logs.py::test_the_service_quiets_http_libraries_and_filters_every_handler"),
    ("no simulator rate per session", "bot/web/fairness.py",
     "            wait = max(wait, self.per_session.take(session))", "            pass",
     "tests/bot/web/test_guards.py::test_one_visitor_sending_too_fast_is_asked_to_wait[sqlite]"),
    ("a repeated MessageSid answered again", "bot/messaging/intake.py",
     '    session.execute(insert_for(session)(Inbound).on_conflict_do_nothing(index_elements=["channel", "external_id"]),\n                    rows)',
     '    for row in rows:\n        session.execute(insert_for(session)(Inbound), [dict(row, external_id=row["external_id"] + str(id(row)))])',
     "tests/channels/test_whatsapp.py::test_a_repeated_message_sid_is_answered_once[sqlite]"),
    ("failed delivery not apologised for", "bot/messaging/processing.py",
     "            outbox.enqueue(session, contact_id=contact.id, channel=incoming.channel, body=messages.PROCESSING_FAILED)",
     "            pass",
     "tests/bot/test_processing.py::test_a_delivery_that_always_fails_gets_an_apology_and_waits_for_an_operator[sqlite]"),
    ("problem stories not complaints", "handlers/answers.py",
     "    if (u.complaint or problem_told(u) or problem_reported(u)) and not wants_service:", "    if u.complaint and not wants_service:",
     "tests/handlers/test_understanding.py::test_a_story_without_any_complaint_phrase_is_still_a_complaint"),
    ("complaint reply without the fixing service", "handlers/answers.py",
     "    fixing = fixing_service(turn, agency, problem) if problem else None", "    fixing = None",
     "tests/handlers/test_understanding.py::test_a_problem_a_service_fixes_names_the_service_and_what_to_bring"),
    ("standard's own line not quoted", "handlers/answers.py",
     "        found = turn.ctx.reader.lines.first_with(agency.services, problem.standard)\n        if found:\n            lines +=",
     "        found = None\n        if found:\n            lines +=",
     "tests/handlers/test_understanding.py::test_where_the_standard_says_who_handles_it_that_line_is_quoted"),
    ("narrow line not first", "handlers/answers.py",
     "    narrow = [] if guessed else detail_asked(turn, service, aspect)", "    narrow = []",
     "tests/handlers/test_understanding.py::test_which_letter_a_case_gets"),
    ("yes/no never says tidak", "handlers/answers.py",
     "    return bool(named) and (match is None or not set(named) <= match.words)", "    return False",
     "tests/handlers/test_understanding.py::test_a_yes_no_question_about_an_unlisted_document_is_answered_no_with_the_list"),
    ("single-agency service answered without asking", "handlers/answers.py",
     "        if agency is None and len(kb.agencies) > 1:  # only one agency's standard has it", "        if False:  # only one agency's standard has it",
     "tests/handlers/test_dialogs.py::test_a_service_only_one_agency_has_says_whose_it_is_and_asks"),
    ("another agency's service answered with ours", "handlers/answers.py",
     "    if not services and u.elsewhere and agency is not None and not u.out_of_scope and not office_asked:", "    if False:",
     "tests/handlers/test_understanding.py::test_another_agencys_service_is_not_answered_with_ours"),
    ("place in a story moves the agency", "handlers/answers.py",
     "and chosen != state.agency and told_elsewhere(turn, chosen):", "and chosen != state.agency and False:",
     "tests/handlers/test_understanding.py::test_a_place_inside_a_story_does_not_move_the_conversation"),
    ("words heard alike not read", "knowledge/understand.py",
     "        if sound and sound[0] == word[0]:", "        if False:",
     "tests/handlers/test_understanding.py::test_misspelled_programme_in_javanese"),
    ("combining marks kept", "knowledge/text.py",
     '    text = unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))', "    pass",
     "tests/handlers/test_understanding.py::test_decorated_letters_are_read"),
    ("runtime classifier drifts from scikit-learn", "knowledge/intents.py",
     "        weights = {self.vocabulary[g]: (1.0 + math.log(n)) * self.idf[self.vocabulary[g]] for g, n in counts.items()}",
     "        weights = {self.vocabulary[g]: n * self.idf[self.vocabulary[g]] for g, n in counts.items()}",
     "tests/knowledge/test_intents.py::test_the_runtime_model_computes_what_scikit_learn_computes"),
    ("officer ignores the place", "handlers/officer.py",
     "        if served and served[0] != turn.state.agency:", "        if False:",
     "tests/handlers/test_understanding.py::test_officer_with_a_place_in_the_same_message"),
    ("amounts lose the thousands", "knowledge/amounts.py",
     "            value = float(re.sub(r\"[.,]\", \"\", digits))", "            value = float(digits.replace(\",\", \".\"))",
     "tests/handlers/test_understanding.py::test_two_amounts_in_a_story_are_aid_received_short"),
    ("cuti bersama not a holiday", "bot/domain/calendar.py",
     'categories=("public", "government")', 'categories=("public",)',
     "tests/bot/domain/test_calendar.py::test_cuti_bersama_and_local_closures_are_holidays"),
    ("closed hours counted as work", "bot/domain/calendar.py",
     "                begin = max(a, cursor)", "                begin = max(a, cursor)\n                b = b + timedelta(hours=2)",
     "tests/bot/domain/test_calendar.py::test_a_due_time_is_never_inside_closed_hours"),
    ("pauses do not stop the clock", "bot/domain/calendar.py",
     "        for p_start, p_end in _merged(pauses):", "        for p_start, p_end in []:",
     "tests/bot/domain/test_calendar.py::test_waiting_for_the_citizen_pauses_the_clock"),
    ("a woman's NIK refused", "bot/domain/nik.py",
     "    female = day > 40", "    female = False",
     "tests/bot/domain/test_nik.py::test_real_niks_are_read"),
    ("NIK shown whole", "bot/domain/nik.py",
     '    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]', "    return digits",
     "tests/bot/domain/test_nik.py::test_masking_keeps_four_and_four"),
    ("IKM not rounded before its category", "bot/domain/skm.py",
     "    ikm = round(sum(nrr.values()) * weight * len(UNSUR) / len(nrr) * 25, 2)",
     "    ikm = sum(nrr.values()) * weight * len(UNSUR) / len(nrr) * 25",
     "tests/bot/domain/test_skm_tickets.py::test_category_boundaries_after_rounding"),
    ("tickets with confusable characters", "bot/domain/tickets.py",
     'ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"', 'ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"',
     "tests/bot/domain/test_skm_tickets.py::test_tickets_match_the_contract_and_avoid_confusable_characters"),
    ("any word taken for a ticket", "bot/domain/tickets.py",
     "        if code in known and TICKET.fullmatch(ticket):", "        if TICKET.fullmatch(ticket):",
     "tests/bot/domain/test_skm_tickets.py::test_a_ticket_is_found_in_what_a_citizen_typed"),
    ("encryption purpose not bound", "bot/domain/protect.py",
     "            return self._aead.decrypt(stored[1:1 + NONCE], stored[1 + NONCE:], purpose.encode())",
     "            return self._aead.decrypt(stored[1:1 + NONCE], stored[1 + NONCE:], b'nik')",
     "tests/bot/domain/test_protect.py::test_a_value_comes_back_only_with_its_key_and_purpose"),
]
only = sys.argv[1:]
missed = 0
for name, path, old, new, test in BREAKS:
    if only and not any(o in name for o in only):
        continue
    full = Path(ROOT) / path
    src = full.read_text()
    assert src.count(old) == 1, (name, src.count(old))
    full.write_text(src.replace(old, new))
    try:
        proc = subprocess.run([f"{ROOT}/.venv/bin/pytest", "-q", "-x", test, "-p", "no:cacheprovider"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-200:]
        print(f"{'CAUGHT ' if proc.returncode else 'MISSED '} {name}: {last}", flush=True)
        missed += proc.returncode == 0
    finally:
        full.write_text(src)
sys.exit(1 if missed else 0)
