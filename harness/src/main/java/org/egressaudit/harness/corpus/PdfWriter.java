package org.egressaudit.harness.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A PDF 1.4 of text pages: uncompressed content streams (so the text is searchable in the bytes, as an agent
 * would upload it), the banner at the top and bottom of every page, Helvetica, and a cross-reference table whose
 * offsets point at each {@code N 0 obj}.
 */
final class PdfWriter {
    private static final int LINES_PER_PAGE = 60;
    private static final int CHARS_PER_LINE = 95;

    private PdfWriter() {
    }

    static byte[] pdf(String banner, String title, List<String> paragraphs) {
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add("");
        for (String p : paragraphs) {
            wrap(p, lines);
            lines.add("");
        }
        List<List<String>> pages = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += LINES_PER_PAGE) {
            pages.add(lines.subList(i, Math.min(lines.size(), i + LINES_PER_PAGE)));
        }
        // Objects: 1 catalog, 2 pages, 3 font, 4 info, then per page: page, contents.
        List<String> objects = new ArrayList<>();
        StringBuilder kids = new StringBuilder();
        for (int i = 0; i < pages.size(); i++) {
            kids.append(i == 0 ? "" : " ").append(5 + 2 * i).append(" 0 R");
        }
        objects.add("<< /Type /Catalog /Pages 2 0 R >>");
        objects.add("<< /Type /Pages /Kids [" + kids + "] /Count " + pages.size() + " >>");
        objects.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        objects.add("<< /Title (" + esc(title) + ") /Producer (egress-audit corpus generator) "
                + "/CreationDate (D:20170101000000Z) /ModDate (D:20170101000000Z) >>");
        for (int i = 0; i < pages.size(); i++) {
            objects.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " + (6 + 2 * i)
                    + " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
            String content = content(banner, pages.get(i));
            objects.add("<< /Length " + content.getBytes(StandardCharsets.ISO_8859_1).length + " >>\nstream\n" + content
                    + "\nendstream");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The binary comment line tells transfer tools the file is binary, as real PDF writers do.
        write(out, "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        long[] offsets = new long[objects.size()];
        for (int i = 0; i < objects.size(); i++) {
            offsets[i] = out.size();
            write(out, (i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n");
        }
        int xref = out.size();
        StringBuilder x = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n0000000000 65535 f \n");
        for (long off : offsets) {
            x.append(String.format(java.util.Locale.ROOT, "%010d 00000 n \n", off));
        }
        x.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R /Info 4 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        write(out, x.toString());
        return out.toByteArray();
    }

    private static String content(String banner, List<String> lines) {
        StringBuilder sb = new StringBuilder();
        sb.append("BT /F1 10 Tf 200 815 Td (").append(esc(banner)).append(") Tj ET\n");
        sb.append("BT /F1 10 Tf 50 790 Td 12 TL\n");
        for (String l : lines) {
            sb.append('(').append(esc(l)).append(") Tj T*\n");
        }
        sb.append("ET\n");
        sb.append("BT /F1 10 Tf 200 20 Td (").append(esc(banner)).append(") Tj ET");
        return sb.toString();
    }

    private static void wrap(String paragraph, List<String> into) {
        StringBuilder line = new StringBuilder();
        for (String word : paragraph.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > CHARS_PER_LINE) {
                into.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        if (line.length() > 0) {
            into.add(line.toString());
        }
    }

    /** PDF literal-string escapes; characters outside Latin-1 become '?' (Helvetica/WinAnsi cannot show them). */
    private static String esc(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == ')' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c > 0xff) {
                sb.append('?');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
