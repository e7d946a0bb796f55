<?php
// Moodle's HTML cleaning, for the tests: reads a fragment on stdin, writes what Moodle keeps.
//
// The configuration is purify_html()'s in moodle/moodle lib/weblib.php (HTML.DefinitionRev 7, read
// 2026-12 from the public repository), run under Debian's php-htmlpurifier: XHTML 1.0 Transitional
// (so no <section>, <header>, <figure>, <svg> or <math>: their tags go, their text stays), Moodle's
// URI schemes, no ids, and the elements Moodle adds to the definition (nolink, tex, algebra, lang,
// bdi, video/audio/source/track, Ruby). The cache settings are left out (they change nothing kept).
// The tests run it with include_path set to the library (tests/render/hosts/sanitizers.py).
require_once 'HTMLPurifier.auto.php';

$config = HTMLPurifier_Config::createDefault();
$config->set('HTML.DefinitionID', 'moodlehtml');
$config->set('HTML.DefinitionRev', 7);
$config->set('Cache.DefinitionImpl', null);
$config->set('Core.NormalizeNewlines', false);
$config->set('Core.ConvertDocumentToFragment', true);
$config->set('Core.Encoding', 'UTF-8');
$config->set('HTML.Doctype', 'XHTML 1.0 Transitional');
$config->set('URI.AllowedSchemes', array_fill_keys(
    ['http', 'https', 'ftp', 'irc', 'nntp', 'news', 'rtsp', 'rtmp', 'teamspeak', 'gopher', 'mms', 'mailto'], true));
$config->set('Attr.AllowedFrameTargets', ['_blank']);

if ($def = $config->maybeGetRawHTMLDefinition()) {
    $def->addElement('nolink', 'Inline', 'Flow', []);
    $def->addElement('tex', 'Inline', 'Inline', []);
    $def->addElement('algebra', 'Inline', 'Inline', []);
    $def->addElement('lang', 'Block', 'Flow', [], ['lang' => 'CDATA']);
    $def->addAttribute('span', 'xxxlang', 'CDATA');
    $def->addElement('bdi', 'Inline', 'Flow', 'Common');
    $def->addAttribute('span', 'dir', 'Enum#ltr,rtl,auto');
    $def->addElement('video', 'Inline', 'Optional: #PCDATA | Flow | source | track', 'Common', [
        'src' => 'URI', 'crossorigin' => 'Enum#anonymous,use-credentials', 'poster' => 'URI',
        'preload' => 'Enum#auto,metadata,none', 'autoplay' => 'Bool', 'playsinline' => 'Bool',
        'loop' => 'Bool', 'muted' => 'Bool', 'controls' => 'Bool', 'width' => 'Length', 'height' => 'Length']);
    $def->addElement('audio', 'Inline', 'Optional: #PCDATA | Flow | source | track', 'Common', [
        'src' => 'URI', 'crossorigin' => 'Enum#anonymous,use-credentials',
        'preload' => 'Enum#auto,metadata,none', 'autoplay' => 'Bool', 'loop' => 'Bool',
        'muted' => 'Bool', 'controls' => 'Bool']);
    $def->addElement('source', false, 'Empty', null, ['src' => 'URI', 'type' => 'Text']);
    $def->addElement('track', false, 'Empty', null, [
        'src' => 'URI', 'kind' => 'Enum#subtitles,captions,descriptions,chapters,metadata',
        'srclang' => 'Text', 'label' => 'Text', 'default' => 'Bool']);
    $def->manager->addModule(new HTMLPurifier_HTMLModule_Ruby());
}

echo (new HTMLPurifier($config))->purify(stream_get_contents(STDIN));
