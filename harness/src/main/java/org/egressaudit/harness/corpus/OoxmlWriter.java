package org.egressaudit.harness.corpus;

import java.util.List;

/**
 * Word, Excel and PowerPoint files with the parts Office and LibreOffice need: content types, package and part
 * relationships, the main part, core properties with fixed dates, and (docx) a header and footer part carrying the
 * banner. PowerPoint additionally needs a slide master, layout and theme, which are included.
 */
final class OoxmlWriter {
    private static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    private static final String CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types";
    private static final String REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";
    private static final String R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static final String W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private static final String S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static final String P = "http://schemas.openxmlformats.org/presentationml/2006/main";
    private static final String A = "http://schemas.openxmlformats.org/drawingml/2006/main";
    private static final String OFFICE = "application/vnd.openxmlformats-officedocument.";

    private OoxmlWriter() {
    }

    static byte[] docx(String banner, String title, List<String> paragraphs) {
        StringBuilder body = new StringBuilder();
        para(body, banner, true);
        para(body, title, true);
        for (String p : paragraphs) {
            para(body, p, false);
        }
        para(body, banner, true);
        String document = XML + "<w:document xmlns:w=\"" + W + "\" xmlns:r=\"" + R + "\"><w:body>" + body
                + "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId1\"/>"
                + "<w:footerReference w:type=\"default\" r:id=\"rId2\"/>"
                + "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
                + "<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" "
                + "w:footer=\"708\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>";
        String header = XML + "<w:hdr xmlns:w=\"" + W + "\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:b/>"
                + "</w:rPr><w:t>" + esc(banner) + "</w:t></w:r></w:p></w:hdr>";
        String footer = XML + "<w:ftr xmlns:w=\"" + W + "\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:b/>"
                + "</w:rPr><w:t>" + esc(banner) + "</w:t></w:r></w:p></w:ftr>";
        return new DeterministicZip()
                .add("[Content_Types].xml", types(
                        override("/word/document.xml", OFFICE + "wordprocessingml.document.main+xml")
                                + override("/word/header1.xml", OFFICE + "wordprocessingml.header+xml")
                                + override("/word/footer1.xml", OFFICE + "wordprocessingml.footer+xml")
                                + coreOverride()))
                .add("_rels/.rels", rels(rel("rId1", R + "/officeDocument", "word/document.xml") + coreRel()))
                .add("word/document.xml", document)
                .add("word/_rels/document.xml.rels", rels(rel("rId1", R + "/header", "header1.xml")
                        + rel("rId2", R + "/footer", "footer1.xml")))
                .add("word/header1.xml", header)
                .add("word/footer1.xml", footer)
                .add("docProps/core.xml", core(title))
                .toBytes();
    }

    /** One sheet of rows (first row the column names), inline strings, the banner in the print header and footer. */
    static byte[] xlsx(String banner, String title, List<List<String>> rows) {
        StringBuilder data = new StringBuilder();
        int r = 1;
        data.append(row(r++, List.of(banner)));
        for (List<String> cells : rows) {
            data.append(row(r++, cells));
        }
        data.append(row(r, List.of(banner)));
        String sheet = XML + "<worksheet xmlns=\"" + S + "\"><sheetData>" + data + "</sheetData>"
                + "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
                + "<headerFooter><oddHeader>&amp;C" + esc(banner) + "</oddHeader><oddFooter>&amp;C" + esc(banner)
                + "</oddFooter></headerFooter></worksheet>";
        String workbook = XML + "<workbook xmlns=\"" + S + "\" xmlns:r=\"" + R + "\"><sheets>"
                + "<sheet name=\"Inventory\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
        return new DeterministicZip()
                .add("[Content_Types].xml", types(
                        override("/xl/workbook.xml", OFFICE + "spreadsheetml.sheet.main+xml")
                                + override("/xl/worksheets/sheet1.xml", OFFICE + "spreadsheetml.worksheet+xml")
                                + coreOverride()))
                .add("_rels/.rels", rels(rel("rId1", R + "/officeDocument", "xl/workbook.xml") + coreRel()))
                .add("xl/workbook.xml", workbook)
                .add("xl/_rels/workbook.xml.rels", rels(rel("rId1", R + "/worksheet", "worksheets/sheet1.xml")))
                .add("xl/worksheets/sheet1.xml", sheet)
                .add("docProps/core.xml", core(title))
                .toBytes();
    }

    /** Slides with the banner at the top and bottom and a block of text each. */
    static byte[] pptx(String banner, String title, List<String> slideTexts) {
        DeterministicZip zip = new DeterministicZip();
        StringBuilder overrides = new StringBuilder(override("/ppt/presentation.xml", OFFICE
                + "presentationml.presentation.main+xml")
                + override("/ppt/slideMasters/slideMaster1.xml", OFFICE + "presentationml.slideMaster+xml")
                + override("/ppt/slideLayouts/slideLayout1.xml", OFFICE + "presentationml.slideLayout+xml")
                + override("/ppt/theme/theme1.xml", OFFICE + "theme+xml"));
        StringBuilder presRels = new StringBuilder(rel("rId1", R + "/slideMaster", "slideMasters/slideMaster1.xml")
                + rel("rId2", R + "/theme", "theme/theme1.xml"));
        StringBuilder ids = new StringBuilder();
        for (int i = 1; i <= slideTexts.size(); i++) {
            overrides.append(override("/ppt/slides/slide" + i + ".xml", OFFICE + "presentationml.slide+xml"));
            presRels.append(rel("rId" + (i + 2), R + "/slide", "slides/slide" + i + ".xml"));
            ids.append("<p:sldId id=\"").append(255 + i).append("\" r:id=\"rId").append(i + 2).append("\"/>");
        }
        overrides.append(coreOverride());
        String presentation = XML + "<p:presentation xmlns:a=\"" + A + "\" xmlns:r=\"" + R + "\" xmlns:p=\"" + P
                + "\"><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>"
                + "<p:sldIdLst>" + ids + "</p:sldIdLst><p:sldSz cx=\"9144000\" cy=\"6858000\"/>"
                + "<p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>";
        zip.add("[Content_Types].xml", types(overrides.toString()))
                .add("_rels/.rels", rels(rel("rId1", R + "/officeDocument", "ppt/presentation.xml") + coreRel()))
                .add("ppt/presentation.xml", presentation)
                .add("ppt/_rels/presentation.xml.rels", rels(presRels.toString()))
                .add("ppt/slideMasters/slideMaster1.xml", XML + "<p:sldMaster xmlns:a=\"" + A + "\" xmlns:r=\"" + R
                        + "\" xmlns:p=\"" + P + "\"><p:cSld>" + emptyTree() + "</p:cSld><p:clrMap bg1=\"lt1\" "
                        + "tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" "
                        + "accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/>"
                        + "<p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/></p:sldLayoutIdLst>"
                        + "</p:sldMaster>")
                .add("ppt/slideMasters/_rels/slideMaster1.xml.rels", rels(
                        rel("rId1", R + "/slideLayout", "../slideLayouts/slideLayout1.xml")
                                + rel("rId2", R + "/theme", "../theme/theme1.xml")))
                .add("ppt/slideLayouts/slideLayout1.xml", XML + "<p:sldLayout xmlns:a=\"" + A + "\" xmlns:r=\"" + R
                        + "\" xmlns:p=\"" + P + "\" type=\"blank\" preserve=\"1\"><p:cSld name=\"Blank\">" + emptyTree()
                        + "</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>")
                .add("ppt/slideLayouts/_rels/slideLayout1.xml.rels", rels(
                        rel("rId1", R + "/slideMaster", "../slideMasters/slideMaster1.xml")))
                .add("ppt/theme/theme1.xml", theme());
        for (int i = 1; i <= slideTexts.size(); i++) {
            String tree = "<p:spTree>" + group() + textBox(2, "Banner top", 0, banner, true)
                    + textBox(3, "Title", 600000, i == 1 ? title : title + " (" + i + ")", true)
                    + textBox(4, "Body", 1400000, slideTexts.get(i - 1), false)
                    + textBox(5, "Banner bottom", 6300000, banner, true) + "</p:spTree>";
            zip.add("ppt/slides/slide" + i + ".xml", XML + "<p:sld xmlns:a=\"" + A + "\" xmlns:r=\"" + R
                    + "\" xmlns:p=\"" + P + "\"><p:cSld>" + tree + "</p:cSld><p:clrMapOvr><a:masterClrMapping/>"
                    + "</p:clrMapOvr></p:sld>");
            zip.add("ppt/slides/_rels/slide" + i + ".xml.rels", rels(
                    rel("rId1", R + "/slideLayout", "../slideLayouts/slideLayout1.xml")));
        }
        return zip.add("docProps/core.xml", core(title)).toBytes();
    }

    // ------------------------------------------------------------------ parts

    private static String types(String overrides) {
        return XML + "<Types xmlns=\"" + CT_NS + "\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" + overrides + "</Types>";
    }

    private static String override(String part, String type) {
        return "<Override PartName=\"" + part + "\" ContentType=\"" + type + "\"/>";
    }

    private static String coreOverride() {
        return override("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml");
    }

    private static String coreRel() {
        return rel("rIdCore", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                "docProps/core.xml");
    }

    private static String rels(String body) {
        return XML + "<Relationships xmlns=\"" + REL_NS + "\">" + body + "</Relationships>";
    }

    private static String rel(String id, String type, String target) {
        return "<Relationship Id=\"" + id + "\" Type=\"" + type + "\" Target=\"" + target + "\"/>";
    }

    /** Core properties with fixed dates: the file's bytes must not depend on when it was generated. */
    private static String core(String title) {
        return XML + "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
                + "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/"
                + "dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>" + esc(title)
                + "</dc:title><dc:creator>egress-audit corpus generator</dc:creator>"
                + "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2017-01-01T00:00:00Z</dcterms:created>"
                + "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2017-01-01T00:00:00Z</dcterms:modified>"
                + "</cp:coreProperties>";
    }

    private static void para(StringBuilder sb, String text, boolean bold) {
        sb.append("<w:p>").append(bold ? "<w:pPr><w:jc w:val=\"center\"/></w:pPr>" : "").append("<w:r>")
                .append(bold ? "<w:rPr><w:b/></w:rPr>" : "").append("<w:t xml:space=\"preserve\">").append(esc(text))
                .append("</w:t></w:r></w:p>");
    }

    private static String row(int r, List<String> cells) {
        StringBuilder sb = new StringBuilder("<row r=\"").append(r).append("\">");
        for (int c = 0; c < cells.size(); c++) {
            sb.append("<c r=\"").append(column(c)).append(r).append("\" t=\"inlineStr\"><is><t>")
                    .append(esc(cells.get(c))).append("</t></is></c>");
        }
        return sb.append("</row>").toString();
    }

    private static String column(int c) {
        String s = "";
        for (int n = c + 1; n > 0; n = (n - 1) / 26) {
            s = (char) ('A' + (n - 1) % 26) + s;
        }
        return s;
    }

    private static String group() {
        return "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm>"
                + "<a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/>"
                + "</a:xfrm></p:grpSpPr>";
    }

    private static String emptyTree() {
        return "<p:spTree>" + group() + "</p:spTree>";
    }

    private static String textBox(int id, String name, int y, String text, boolean bold) {
        return "<p:sp><p:nvSpPr><p:cNvPr id=\"" + id + "\" name=\"" + name + "\"/><p:cNvSpPr txBox=\"1\"/><p:nvPr/>"
                + "</p:nvSpPr><p:spPr><a:xfrm><a:off x=\"457200\" y=\"" + y + "\"/><a:ext cx=\"8229600\" cy=\""
                + (bold ? 500000 : 4800000) + "\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr>"
                + "<p:txBody><a:bodyPr wrap=\"square\"/><a:lstStyle/><a:p>" + (bold ? "<a:pPr algn=\"ctr\"/>" : "")
                + "<a:r><a:rPr lang=\"en-US\" sz=\"" + (bold ? 2000 : 1400) + "\" b=\"" + (bold ? 1 : 0) + "\"/><a:t>"
                + esc(text) + "</a:t></a:r></a:p></p:txBody></p:sp>";
    }

    /** The smallest complete theme PowerPoint accepts: 12 colours, two fonts, three of each format style. */
    private static String theme() {
        StringBuilder clr = new StringBuilder();
        String[][] colours = {{"dk1", "000000"}, {"lt1", "FFFFFF"}, {"dk2", "1F497D"}, {"lt2", "EEECE1"},
                {"accent1", "4F81BD"}, {"accent2", "C0504D"}, {"accent3", "9BBB59"}, {"accent4", "8064A2"},
                {"accent5", "4BACC6"}, {"accent6", "F79646"}, {"hlink", "0000FF"}, {"folHlink", "800080"}};
        for (String[] c : colours) {
            clr.append("<a:").append(c[0]).append("><a:srgbClr val=\"").append(c[1]).append("\"/></a:")
                    .append(c[0]).append('>');
        }
        String fill = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
        String line = "<a:ln w=\"9525\">" + fill + "</a:ln>";
        String effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
        String fonts = "<a:latin typeface=\"Calibri\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/>";
        return XML + "<a:theme xmlns:a=\"" + A + "\" name=\"Office Theme\"><a:themeElements>"
                + "<a:clrScheme name=\"Office\">" + clr + "</a:clrScheme>"
                + "<a:fontScheme name=\"Office\"><a:majorFont>" + fonts + "</a:majorFont><a:minorFont>" + fonts
                + "</a:minorFont></a:fontScheme><a:fmtScheme name=\"Office\">"
                + "<a:fillStyleLst>" + fill.repeat(3) + "</a:fillStyleLst>"
                + "<a:lnStyleLst>" + line.repeat(3) + "</a:lnStyleLst>"
                + "<a:effectStyleLst>" + effect.repeat(3) + "</a:effectStyleLst>"
                + "<a:bgFillStyleLst>" + fill.repeat(3) + "</a:bgFillStyleLst>"
                + "</a:fmtScheme></a:themeElements></a:theme>";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
