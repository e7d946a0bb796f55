# Canvas's HTML sanitizer, for the tests: reads a fragment on stdin, writes what Canvas keeps.
#
# The allowlist is Canvas's, written out from canvas-lms
# gems/canvas_sanitize/lib/canvas_sanitize/canvas_sanitize.rb (CanvasSanitize::SANITIZE, the version
# with the MathML allowlist, read 2026-12 from the public repository instructure/canvas-lms), run
# under Debian's ruby-sanitize (Sanitize 6, as Canvas's Gemfile.lock has it: sanitize 6.0.2).
# Canvas filters style= with a transformer of its own; `keep_style` below does what it does: a style
# with any character outside its safe set is dropped whole, then each declaration is kept only if
# its property is allowed and its value calls no function but url() and names no protocol but
# http(s). Sanitize 6 then cleans every style= once more with its own CSS sanitizer, here given
# the same property list (Sanitize's default list is empty, which would drop every style).
# Elements outside the list are removed and their content kept; <style> goes with its content.
require 'sanitize'

MATHML_ATTRIBUTES = %w[href xref mathcolor mathbackground].freeze

STYLE_PROPERTIES = %w[
  background border clear color cursor direction display float font height left line-height
  list-style margin max-height max-width min-height min-width overflow overflow-x overflow-y
  padding position right text-align table-layout text-decoration text-indent top vertical-align
  visibility white-space width z-index zoom
].freeze

STYLE_EXPRESSIONS = [
  /\Abackground-(?:attachment|color|image|position|repeat)\z/,
  /\Abackground-position-(?:x|y)\z/,
  /\Aborder-(?:bottom|collapse|color|left|right|spacing|style|top|width)\z/,
  /\Aborder-(?:bottom|left|right|top)-(?:color|style|width)\z/,
  /\Afont-(?:family|size|stretch|style|variant|weight)\z/,
  /\Alist-style-(?:image|position|type)\z/,
  /\Amargin-(?:bottom|left|right|top|offset)\z/,
  /\Apadding-(?:bottom|left|right|top)\z/
].freeze

SAFE_STYLE = /\A([-:,;#%.()\/\sa-zA-Z0-9!]|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*\z/
DECLARATIONS = /\A\s*([-\w]+\s*:[^;]*(;\s*|$))*\z/
FUNCTION = /([A-Za-z0-9+\-.&;#\s]*?)(?:\(|&#0*40|&#x0*28)/i
PROTOCOL = /([A-Za-z0-9+\-.&;#\s]*?)(?::|&#0*58|&#x0*3a)/i

def allowed_property?(property)
  STYLE_PROPERTIES.include?(property) || STYLE_EXPRESSIONS.any? { |e| property.match?(e) }
end

def clean_value(value)
  return nil if value.downcase.scan(FUNCTION).any? { |m| m[0] != 'url' }
  return nil if value.downcase.scan(PROTOCOL).any? { |m| !%w[http https].include?(m[0]) }
  value
end

def keep_style(node)
  style = node['style'].to_s
  style = '' unless style.match?(SAFE_STYLE) && style.match?(DECLARATIONS)
  kept = style.scan(/([-\w]+)\s*:\s*([^;]*)/).filter_map do |property, value|
    property = property.downcase
    next unless allowed_property?(property)
    value = clean_value(value)
    "#{property}: #{value}" if value
  end
  node['style'] = kept.join('; ') + ';'
end

ARIA = %w[
  aria-labelledby aria-atomic aria-busy aria-controls aria-describedby aria-disabled aria-dropeffect
  aria-flowto aria-grabbed aria-haspopup aria-hidden aria-invalid aria-label aria-live aria-owns
  aria-relevant aria-autocomplete aria-checked aria-expanded aria-level aria-multiline
  aria-multiselectable aria-orientation aria-pressed aria-readonly aria-required aria-selected
  aria-sort aria-valuemax aria-valuemin aria-valuenow aria-valuetext
].freeze

MATH_ELEMENT_ATTRIBUTES = %w[
  display maxwidth overflow altimg altimg-width altimg-height altimg-valign alttext cdgroup
  scriptlevel displaystyle scriptsizemultiplier scriptminsize infixlinebreakstyle decimalpoint
  mathvariant mathsize width height valign form fence separator lspace rspace stretchy symmetric
  maxsize minsize largeop movablelimits accent linebreak lineleading linebreakstyle
  linebreakmultchar indentalign indentshift indenttarget indentalignfirst indentshiftfirst
  indentalignlast indentshiftlast depth lquote rquote linethickness munalign denomalign bevelled
  voffset open close separators notation subscriptshift superscriptshift accentunder align
  rowalign columnalign groupalign alignmentscope columnwidth rowspacing columnspacing rowlines
  columnlines frame framespacing equalrows equalcolumns side minlabelspacing rowspan columnspan
  edge stackalign charalign charspacing longdivstyle position shift location crossout length
  leftoverhang rightoverhang mslinethickness selection xmlns
].freeze

CONFIG = {
  elements: %w[
    a b blockquote br caption cite code col hr h1 h2 h3 h4 h5 h6 h7 h8 del ins iframe font
    colgroup dd div dl dt em figure figcaption i img li ol p pre q small source span strike strong
    sub sup table tbody td tfoot th thead tr u ul object embed param video track audio
    annotation annotation-xml maction maligngroup malignmark math menclose merror mfenced mfrac
    mglyph mi mlabeledtr mlongdiv mmultiscripts mn mo mover mpadded mphantom mprescripts mroot
    mrow ms mscarries mscarry msgroup msline mspace msqrt msrow mstack mstyle msub msubsup msup
    mtable mtd mtext mtr munder munderover none semantics
  ],
  attributes: {
    all: %w[style class id title role lang dir] + [:data] + ARIA,
    'a' => %w[href target name],
    'img' => %w[align alt height src width],
    'table' => %w[summary width border cellpadding cellspacing center frame rules],
    'tr' => %w[align valign dir],
    'td' => %w[abbr axis colspan rowspan width align valign dir],
    'th' => %w[abbr axis colspan rowspan width align valign dir scope],
    'col' => %w[span width], 'colgroup' => %w[span width], 'ol' => %w[start type], 'ul' => %w[type],
    'math' => MATHML_ATTRIBUTES + MATH_ELEMENT_ATTRIBUTES,
    'mi' => MATHML_ATTRIBUTES + %w[mathvariant mathsize],
    'mn' => MATHML_ATTRIBUTES + %w[mathvariant mathsize],
    'mo' => MATHML_ATTRIBUTES + %w[
      mathvariant mathsize form fence separator lspace rspace stretchy symmetric maxsize minsize
      largeop movablelimits accent linebreak lineleading linebreakstyle linebreakmultchar
      indentalign indentshift indenttarget indentalignfirst indentshiftfirst indentalignlast
      indentshiftlast
    ],
    'mtext' => MATHML_ATTRIBUTES + %w[mathvariant mathsize width height depth linebreak],
    'mspace' => MATHML_ATTRIBUTES + %w[mathvariant mathsize],
    'mfrac' => MATHML_ATTRIBUTES + %w[linethickness munalign denomalign bevelled],
    'mpadded' => MATHML_ATTRIBUTES + %w[height depth width lspace voffset],
    'mover' => MATHML_ATTRIBUTES + %w[accent align],
    'munder' => MATHML_ATTRIBUTES + %w[accentunder align],
    'munderover' => MATHML_ATTRIBUTES + %w[accent accentunder align],
    'mtable' => MATHML_ATTRIBUTES + %w[
      align rowalign columnalign groupalign alignmentscope columnwidth width rowspacing
      columnspacing rowlines columnlines frame framespacing equalrows equalcolumns displaystyle
      side minlabelspacing
    ],
    'mtr' => MATHML_ATTRIBUTES + %w[rowalign columnalign groupalign],
    'mtd' => MATHML_ATTRIBUTES + %w[rowspan columnspan rowalign columnalign groupalign],
    'mstyle' => MATHML_ATTRIBUTES + MATH_ELEMENT_ATTRIBUTES - %w[xmlns display maxwidth overflow
      altimg altimg-width altimg-height altimg-valign alttext cdgroup],
    'menclose' => MATHML_ATTRIBUTES + %w[notation],
    'msub' => MATHML_ATTRIBUTES + %w[subscriptshift],
    'msup' => MATHML_ATTRIBUTES + %w[superscriptshift],
    'msubsup' => MATHML_ATTRIBUTES + %w[subscriptshift superscriptshift],
    'mrow' => MATHML_ATTRIBUTES, 'msqrt' => MATHML_ATTRIBUTES, 'mroot' => MATHML_ATTRIBUTES,
    'mphantom' => MATHML_ATTRIBUTES
  },
  css: { properties: STYLE_PROPERTIES + %w[
    background-attachment background-color background-image background-position background-repeat
    background-position-x background-position-y border-bottom border-collapse border-color
    border-left border-right border-spacing border-style border-top border-width
    border-bottom-color border-bottom-style border-bottom-width border-left-color border-left-style
    border-left-width border-right-color border-right-style border-right-width border-top-color
    border-top-style border-top-width font-family font-size font-stretch font-style font-variant
    font-weight list-style-image list-style-position list-style-type margin-bottom margin-left
    margin-right margin-top margin-offset padding-bottom padding-left padding-right padding-top
  ], protocols: ['http', 'https', :relative] },
  protocols: { 'a' => { 'href' => ['ftp', 'http', 'https', 'mailto', :relative] },
               'img' => { 'src' => ['http', 'https', :relative] } },
  transformers: lambda { |env|
    keep_style(env[:node]) if env[:node]['style']
    env[:node].unlink if env[:node_name] == 'style'
  }
}.freeze

print Sanitize.fragment($stdin.read, CONFIG)
