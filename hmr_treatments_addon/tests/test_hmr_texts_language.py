from odoo import Command, http
from odoo.tests import HttpCase, tagged
from odoo.tools.translate import code_translations

from .common import HmrTreatmentsCommon


@tagged("post_install", "-at_install", "hmr_texts_language")
class TestHmrTextsLanguage(HmrTreatmentsCommon):
    """Issue 9, item 3: every text the clinic writes for a person (activities, their
    "assigned to you" mails, notifications) is in that person's language (S1.3, S1.4,
    S2.1, S2.2, S2.3, S3.2, B7), whoever triggers it: the scheduler as OdooBot in English,
    a visitor of the website (the public user), a colleague speaking the other language.
    What the clinic writes on its own account is authored by OdooBot, with an address,
    never by the public user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # es_MX active, with the translations of the activity types' names and summaries
        cls.env["res.lang"]._activate_lang("es_MX")
        cls.env["ir.module.module"].search(
            [("name", "in", ("mail", "hmr_treatments_addon"))]
        )._update_translations("es_MX")
        cls.user_root = cls.env.ref("base.user_root")
        cls.user_public = cls.env.ref("base.public_user")
        cls.odoobot = cls.user_root.partner_id

        cls.exec_es = cls._new_lang_user("txt_exec_es", "group_hmr_executive", "es_MX")
        cls.exec_en = cls._new_lang_user("txt_exec_en", "group_hmr_executive", "en_US")
        cls.doctor_es = cls._new_lang_user("txt_doctor_es", "group_hmr_doctor", "es_MX")
        cls.doctor_en = cls._new_lang_user("txt_doctor_en", "group_hmr_doctor", "en_US")
        # the common's doctors are away: the least-loaded doctor is one of ours
        (cls.user_doctor | cls.user_doctor_2).action_archive()
        cls.treatment_fue.with_context(lang="es_MX").name = "Injerto FUE"

        # the answer's process: quote, answer, follow-up (the steps are data, S4)
        cls._new_quote_steps()
        # the photos' process: one photo, no reminder left, then the assessment
        cls.photo_process = cls._new_photo_process(
            cls.env, "Test Photo Language Process", slot_names=("Front",), reminder_max_count=0
        )
        cls.photo_slot = cls.photo_process.step_ids.photo_slot_ids
        cls.photo_treatment = cls.env["hmr.treatment"].create(
            {"name": "Hair Transplant", "process_id": cls.photo_process.id}
        )
        cls.photo_treatment.with_context(lang="es_MX").name = "Trasplante capilar"

    @classmethod
    def _new_lang_user(cls, login, group, lang):
        return cls._new_hmr_user(login, group, login, lang=lang)

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _mail_text(self, source, lang):
        """Odoo's own text (addon mail) in ``lang``, as the reader must read it."""
        if lang == "en_US":
            return source
        text = code_translations.get_python_translations("mail", lang).get(source)
        self.assertTrue(text and text != source, f"mail lacks {lang} for {source!r}")
        return text

    def _flush_tracking(self):
        """End of a request: the tracking messages are posted (and the next request's
        tracking starts in its own environment)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _lang_text(self, record, fname, lang):
        return record.with_context(lang=lang)[fname]

    def _new_prospect(self, executive, name):
        lead = self._new_lead(name, executive)
        lead.partner_id._hmr_record_privacy_consent("staff", staff_user=self.user_manager)
        return lead

    def _new_answering_quote(self, executive, name):
        order = self._new_sent_quote(self._new_prospect(executive, name))
        self.assertEqual(order.hmr_case_id.step_kind, "answer")
        return order

    def _new_photo_case(self, executive, name):
        return self.env["hmr.treatment.case"].create(
            {
                "lead_id": self._new_prospect(executive, name).id,
                "treatment_id": self.photo_treatment.id,
            }
        )

    def _run_as_scheduler(self, xmlid):
        """Run a scheduled action as Odoo's scheduler does: as OdooBot, without a language
        (English), in a transaction of its own (the test's, in test mode)."""
        self.assertEqual(self.env.ref(xmlid).user_id, self.user_root)
        self._run_cron(xmlid)

    def _activity(self, record, user):
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("user_id", "=", user.id),
            ]
        )
        self.assertEqual(len(activities), 1)
        return activities

    def _notifications(self, record, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", partner.id),
            ]
        )

    def _assert_assigned(self, activity, lang, author):
        """The activity's "assigned to you" notification: in ``lang``, from ``author``,
        with a sender address."""
        record = self.env[activity.res_model].browse(activity.res_id)
        summary = activity.summary or self._lang_text(activity.activity_type_id, "name", lang)
        subject = self._mail_text('"%(activity_name)s: %(summary)s" assigned to you', lang) % {
            "activity_name": record.with_context(lang=lang).display_name,
            "summary": summary,
        }
        notifications = self._notifications(record, activity.user_id.partner_id)
        message = notifications.filtered(lambda m: m.subject == subject)
        self.assertEqual(len(message), 1, f"{subject!r} not in {notifications.mapped('subject')}")
        self._assert_author(message, author)

    def _assert_author(self, messages, author):
        for message in messages:
            self.assertEqual(message.author_id, author, message.subject)
            self.assertTrue(message.email_from, message.subject)
            self.assertNotEqual(message.author_id, self.user_public.partner_id)

    # ------------------------------------------------------------
    # THE PROSPECT'S ANSWER (S3.2)
    # ------------------------------------------------------------

    def test_answers_told_by_scheduler_in_each_executive_language(self):
        """Issue 9.3, S3.2: the scheduler (OdooBot, English) gives each executive the
        activity of the answer in their language ("The prospect asks to talk: …",
        "… rejected …", the summary of a call and of the follow-up), its "assigned to
        you" mail too, all from OdooBot."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        follow_up_type = self.env.ref("hmr_treatments_addon.mail_activity_type_hmr_follow_up")
        self.assertEqual(self._lang_text(call_type, "summary", "es_MX"), "Llamada")
        self.assertEqual(
            self._lang_text(follow_up_type, "summary", "es_MX"),
            "Dar seguimiento a la cotización aceptada",
        )
        answered = []
        for executive, lang in ((self.exec_es, "es_MX"), (self.exec_en, "en_US")):
            talk = self._new_answering_quote(executive, f"Talk {lang}")
            talk._hmr_record_answer("talk", "Call me at 5")
            rejected = self._new_answering_quote(executive, f"Reject {lang}")
            rejected._action_cancel()
            rejected._hmr_record_answer("rejected", "Too expensive")
            accepted = self._new_answering_quote(executive, f"Accept {lang}")
            accepted._hmr_record_answer("accepted")
            answered.append((executive, lang, talk, rejected, accepted))
        self._flush_tracking()
        with self.mock_mail_gateway():
            self._run_as_scheduler("hmr_treatments_addon.ir_cron_hmr_quote_alerts")

        for executive, lang, talk, rejected, accepted in answered:
            with self.subTest(lang=lang):
                env = self.env(context={"lang": lang})
                activity = self._activity(talk, executive)
                self.assertEqual(activity.summary, self._lang_text(call_type, "summary", lang))
                self.assertIn(
                    env._("The prospect asks to talk: %(message)s", message="Call me at 5"),
                    activity.note,
                )
                self._assert_assigned(activity, lang, self.odoobot)

                activity = self._activity(rejected, executive)
                self.assertIn(
                    env._("The prospect rejected the quote: %(reason)s", reason="Too expensive"),
                    activity.note,
                )
                self._assert_assigned(activity, lang, self.odoobot)

                activity = self._activity(accepted, executive)
                self.assertEqual(activity.summary, self._lang_text(follow_up_type, "summary", lang))
                self.assertIn(
                    env._("The prospect accepted the quote: follow up within the day."),
                    activity.note,
                )
                self._assert_assigned(activity, lang, self.odoobot)
        # the Spanish executive really reads Spanish, the English one English
        self.assertIn("El prospecto pide hablar: Call me at 5", answered[0][2].activity_ids.note)
        self.assertIn("The prospect asks to talk: Call me at 5", answered[1][2].activity_ids.note)

    def test_answer_of_visitor_told_by_clinic_in_executive_language(self):
        """Issue 9.3, S3.2, B7: the prospect answers on the portal as the public user,
        browsing in English, with the scheduled action off (told at once): the Spanish
        executive's activity and its mail are in Spanish, from OdooBot; the case moves on
        by OdooBot too, never by the public user."""
        self.env.ref("hmr_treatments_addon.ir_cron_hmr_quote_alerts").active = False
        order = self._new_answering_quote(self.exec_es, "Visitor Talk")
        self._flush_tracking()
        visitor_order = order.with_user(self.user_public).sudo().with_context(lang="en_US")
        with self.mock_mail_gateway():
            # as the portal does: the prospect is the author of their answer
            visitor_order._track_set_author(order.partner_id)
            visitor_order._hmr_record_answer("accepted")
            self._flush_tracking()

        activity = self._activity(order, self.exec_es)
        self.assertEqual(activity.summary, "Dar seguimiento a la cotización aceptada")
        self.assertIn("El prospecto aceptó la cotización: dé seguimiento en el día.", activity.note)
        self._assert_assigned(activity, "es_MX", self.odoobot)
        case = order.hmr_case_id
        self.assertEqual(case.step_kind, "follow_up")
        self._assert_author(case.message_ids.filtered("tracking_value_ids")[:1], self.odoobot)
        messages = order.message_ids | case.message_ids
        public = messages.filtered(lambda m: m.author_id == self.user_public.partner_id)
        self.assertFalse(public, public.read(["model", "message_type", "subject", "body"]))

    # ------------------------------------------------------------
    # PHOTOS COMPLETE: DOCTORS (S2.1, S2.2)
    # ------------------------------------------------------------

    def _assert_doctor_told(self, case, doctor, lang, author):
        """``doctor`` was told of the new assessment once, in ``lang``, by ``author``."""
        name = case.with_context(lang=lang).name
        env = self.env(context={"lang": lang})
        subject = env._("New prospect to assess: %(case)s", case=name)
        notifications = self._notifications(case, doctor.partner_id)
        told = notifications.filtered(lambda m: m.subject == subject)
        self.assertEqual(len(told), 1, f"{subject!r} not in {notifications.mapped('subject')}")
        self.assertIn(
            env._("%(case)s completed the photos: a new assessment is waiting.", case=name),
            told.body,
        )
        self._assert_author(told, author)
        return told

    def test_photos_completed_by_visitor_tell_doctors_in_their_language(self):
        """Issue 9.3, S2.1, S2.2: the prospect's own upload (public user, English page)
        completes the photos: each doctor is told in their language (one message per
        language), the assessment's activity is in its doctor's language, all from
        OdooBot with an address; the case's move is not authored by the public user."""
        case = self._new_photo_case(self.exec_es, "Visitor Photos")
        self._flush_tracking()
        photos = self.env["hmr.case.photo"].with_user(self.user_public).sudo()
        with self.mock_mail_gateway():
            photos.with_context(lang="en_US").create(
                {"case_id": case.id, "slot_id": self.photo_slot.id, "image": self.jpeg_b64}
            )
            self._flush_tracking()
        self.assertEqual(case.step_kind, "assessment")
        self.assertEqual(case.doctor_id, self.doctor_es)

        told_es = self._assert_doctor_told(case, self.doctor_es, "es_MX", self.odoobot)
        self.assertEqual(
            told_es.subject, "Nuevo prospecto por valorar: " + case.with_context(lang="es_MX").name
        )
        self.assertIn("Trasplante capilar", told_es.subject)
        told_en = self._assert_doctor_told(case, self.doctor_en, "en_US", self.odoobot)
        self.assertNotEqual(told_es, told_en)

        activity = self._activity(case, self.doctor_es)
        self.assertEqual(activity.summary, "Valorar al prospecto")
        self.assertIn("Valore Trasplante capilar", activity.note)
        self._assert_assigned(activity, "es_MX", self.odoobot)
        self._assert_author(case.message_ids.filtered("tracking_value_ids")[:1], self.odoobot)
        self.assertFalse(
            case.message_ids.filtered(lambda m: m.author_id == self.user_public.partner_id)
        )

    def test_photos_completed_by_colleague_of_other_language(self):
        """Issue 9.3, S2.1, S2.2: a manager working in English completes the photos: the
        Spanish doctor reads the notification and the assessment's activity in Spanish
        (their author stays the manager who acted, as in Odoo); and the other way round."""
        # both doctors idle, the first case goes to the lowest id; the second to the other
        for manager_lang, doctor, doctor_lang in (
            ("en_US", self.doctor_es, "es_MX"),
            ("es_MX", self.doctor_en, "en_US"),
        ):
            with self.subTest(manager=manager_lang):
                self.user_manager.lang = manager_lang
                case = self._new_photo_case(self.exec_en, f"Colleague {manager_lang}")
                self._flush_tracking()
                with self.mock_mail_gateway():
                    self.env["hmr.case.photo"].with_user(self.user_manager).with_context(
                        lang=manager_lang
                    ).create(
                        {"case_id": case.id, "slot_id": self.photo_slot.id, "image": self.jpeg_b64}
                    )
                    self._flush_tracking()
                self.assertEqual(case.doctor_id, doctor)
                self._assert_doctor_told(case, doctor, doctor_lang, self.user_manager.partner_id)
                activity = self._activity(case, doctor)
                name = case.with_context(lang=doctor_lang).name
                self.assertIn(
                    self.env(context={"lang": doctor_lang})._(
                        "Assess %(case)s and prepare the quote.", case=name
                    ),
                    activity.note,
                )
                self._assert_assigned(activity, doctor_lang, self.user_manager.partner_id)

    # ------------------------------------------------------------
    # SCHEDULED ACTIONS (S1.3) AND THE WEB FORM (B1)
    # ------------------------------------------------------------

    def test_photo_reminders_exhausted_activity_in_executive_language(self):
        """Issue 9.3, S1.3: past the last reminder, the scheduler (OdooBot, English)
        gives each executive the to-do "Photos still missing" in their language."""
        case_es = self._new_photo_case(self.exec_es, "Missing Es")
        case_en = self._new_photo_case(self.exec_en, "Missing En")
        (case_es | case_en).write({"next_photo_reminder_at": "2020-01-01 00:00:00"})
        with self.mock_mail_gateway():
            self._run_as_scheduler("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
        for case, executive, lang in (
            (case_es, self.exec_es, "es_MX"),
            (case_en, self.exec_en, "en_US"),
        ):
            with self.subTest(lang=lang):
                env = self.env(context={"lang": lang})
                activity = self._activity(case, executive)
                self.assertEqual(activity.summary, env._("Photos still missing"))
                self.assertIn(
                    env._("The prospect did not send the missing photos after the reminders."),
                    activity.note,
                )
                self.assertEqual(activity.res_name, case.with_context(lang=lang).display_name)
        self.assertEqual(case_es.activity_ids.summary, "Aún faltan fotografías")

    def test_web_form_assignment_in_executive_language(self):
        """Issue 9.3, B1: a visitor browsing in English sends the web form; the Spanish
        executive it goes to is told "you have been assigned" in Spanish (Odoo renders
        it in the assignee's language) by OdooBot, with an address, and nothing is
        authored by the public user."""
        team = self.env["crm.team"].create(
            {"name": "Spanish Web Team", "member_ids": [Command.set(self.exec_es.ids)]}
        )
        self._flush_tracking()
        Lead = self.env["crm.lead"].with_user(self.user_public).with_context(lang="en_US")
        with self.mock_mail_gateway():
            case = Lead.sudo()._hmr_create_from_web_form(
                {
                    "first_name": "Vera",
                    "last_name": "Visitor",
                    "email_from": "vera.visitor@example.mx",
                    "lang": "en_US",
                },
                self.treatment_prp,
                team=team,
            )
            self._flush_tracking()
        lead = case.lead_id
        self.assertEqual(lead.user_id, self.exec_es)
        subject = self._mail_text("You have been assigned to %s", "es_MX") % lead.display_name
        notifications = self._notifications(lead, self.exec_es.partner_id)
        told = notifications.filtered(lambda m: m.subject == subject)
        self.assertEqual(len(told), 1, f"{subject!r} not in {notifications.mapped('subject')}")
        self._assert_author(told, self.odoobot)
        messages = lead.message_ids | case.message_ids
        self.assertFalse(messages.filtered(lambda m: m.author_id == self.user_public.partner_id))


@tagged("post_install", "-at_install", "hmr_texts_language")
class TestHmrTextsLanguagePortal(HttpCase, HmrTreatmentsCommon):
    """Issue 9, item 3, over HTTP: the prospect's answer on the portal, said in the
    quote's chatter as the prospect, is in the prospect's language (their contact's),
    whatever language the page is browsed in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quote()
        cls.env["res.lang"]._activate_lang("es_MX")
        cls.partner_ana.lang = "es_MX"
        cls.user_executive.lang = "en_US"

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    def _post(self, order, suffix, data):
        token = order._portal_ensure_token()
        data = dict(data, csrf_token=http.Request.csrf_token(self))
        return self.url_open(
            f"/my/orders/{order.id}/{suffix}?access_token={token}",
            data=data,
            allow_redirects=False,
        )

    def _said(self, order):
        return order.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.author_id == self.partner_ana
        )

    def test_answer_in_chatter_in_prospect_language(self):
        """Issue 9.3, S3.1, B7: Ana (Spanish) rejects one quote and asks to talk about
        another from a page in English: the chatter says it in Spanish, as Ana."""
        rejected = self._new_sent_quote(self.lead_ana)
        response = self._post(rejected, "decline", {"decline_message": "Muy caro"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(rejected.hmr_answer, "rejected")
        self.assertIn("Rechazó la cotización: Muy caro", str(self._said(rejected).body))

        talk = self._new_sent_quote(self._new_lead("Ana Talk"))
        talk.partner_id = self.partner_ana
        response = self._post(talk, "talk", {"talk_message": "Llámeme"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(talk.hmr_answer, "talk")
        self.assertIn(
            "Pidió hablar con el ejecutivo de ventas: Llámeme", str(self._said(talk).body)
        )
