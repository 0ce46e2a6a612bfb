"""The SKM survey of PermenPAN-RB 14/2017: questionnaire, responses, QR links and paper imports."""
