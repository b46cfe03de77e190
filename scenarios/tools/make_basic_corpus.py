#!/usr/bin/env python3
"""Writes the 'basic' planted corpus deterministically (same bytes for the same seed).

Files:
  Documents/secret.docx   OOXML document with TOP SECRET//SI//NOFORN banners (document)
  Documents/report.pdf    PDF with uncompressed text streams and SECRET// markings (document)
  Documents/memo.txt      plain-text memo holding a canary token (document)
  Samples/flagged.exe     structurally valid PE32 with a harmless test-signature string (executable)
  Source/main.c           source code (source-code)
Usage: make_basic_corpus.py OUT_DIR [SEED]
"""
import io
import os
import random
import struct
import sys
import zipfile

WORDS = ("analysis budget carrier delta embassy facility gateway harbor inventory junction keystone liaison "
         "mission network operation payload quarterly reserve satellite transfer uplink vector warehouse "
         "yield zone asset bulletin channel directive estimate forward grid handler index").split()


def prose(rng, paragraphs, words=80):
    out = []
    for _ in range(paragraphs):
        out.append(" ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + ".")
    return out


def docx(rng):
    banner = "TOP SECRET//SI//NOFORN"
    paras = [banner, "SUBJECT: Quarterly network operations review"] + prose(rng, 120) + [banner]
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paras)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body>{body}<w:sectPr/></w:body></w:document>')
    header = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              f'<w:p><w:r><w:t>{banner}</w:t></w:r></w:p></w:hdr>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    docrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>'
               '</Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc),
                           ("word/_rels/document.xml.rels", docrels), ("word/header1.xml", header)):
            info = zipfile.ZipInfo(name, date_time=(2017, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def pdf(rng):
    lines = ["SECRET//REL TO USA, FVEY", "Facility inventory report"] + prose(rng, 60, 12)
    text = "BT /F1 9 Tf 40 800 Td 11 TL " + " ".join(f"({l}) '" for l in lines) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def memo(rng):
    canary = "CANARY-" + "".join(rng.choice("0123456789abcdef") for _ in range(24))
    text = ["MEMORANDUM FOR RECORD", "CONFIDENTIAL//NOFORN", "",
            f"Reference token: {canary}", ""] + prose(rng, 3, 40)
    return ("\n".join(text) + "\n").encode()


def pe(rng):
    """A minimal PE32 image: DOS header, PE header, one .text section with a harmless test signature."""
    signature = b"EGRESS-AUDIT-TEST-SIGNATURE:flagged-sample"
    code = bytes(rng.randrange(256) for _ in range(24 * 1024 - len(signature))) + signature
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    stub = dos + bytes(0x80 - 64)
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x14C, 1, 0x5A000000, 0, 0, 224, 0x0102)
    opt = bytearray(224)
    struct.pack_into("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", opt, 0, 0x10B, 14, 0, len(code), 0, 0, 0x1000, 0x1000,
                     0x2000, 0x400000, 0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, 0x1000 + ((len(code) + 0xFFF) & ~0xFFF),
                     0x200, 0, 3, 0, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    section = struct.pack("<8sIIIIIIHHI", b".text", len(code), 0x1000, len(code), 0x200, 0, 0, 0, 0, 0x60000020)
    headers = bytes(stub) + coff + bytes(opt) + section
    headers += bytes(0x200 - len(headers))
    return headers + code


def source(rng):
    return ("#include <stdio.h>\n#include <string.h>\n\n/* telemetry collector, internal */\n"
            "static int checksum(const char *s) {\n    int h = 0;\n    while (*s) { h = h * 31 + *s++; }\n    return h;\n}\n\n"
            "int main(int argc, char **argv) {\n    for (int i = 1; i < argc; i++) {\n"
            "        printf(\"%s %d\\n\", argv[i], checksum(argv[i]));\n    }\n    return 0;\n}\n").encode()


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2017
    rng = random.Random(seed)
    files = {
        "Documents/secret.docx": docx(rng),
        "Documents/report.pdf": pdf(rng),
        "Documents/memo.txt": memo(rng),
        "Samples/flagged.exe": pe(rng),
        "Source/main.c": source(rng),
    }
    for name, data in files.items():
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    with open(os.path.join(out, "corpus.yaml"), "w") as f:
        f.write("# Categories of the planted files; unlisted files are classified by content.\nfiles:\n")
        for name, cat in (("Documents/secret.docx", "document"), ("Documents/report.pdf", "document"),
                          ("Documents/memo.txt", "document"), ("Samples/flagged.exe", "executable"),
                          ("Source/main.c", "source-code")):
            f.write(f"  {name}: {cat}\n")


if __name__ == "__main__":
    main()
