"""The practice page: the student sheet with an input in every answer box, which marks each box
with the quizzes' margins, shows a step of the key on request and moves to another variant of
the set, offline; and the same page as a SCORM 1.2 package that reports its score to an LMS.

``variant`` renders one variant (in the variant's job, as a set format's piece), ``page`` puts
the variants and the script into one self-contained page, ``scorm`` zips it with a manifest.
"""
