package org.egressaudit.analyzers.content;

/** File types recognised by content (magic and structure), each with the policy category it implies. */
public enum FileType {
    PE("pe", Category.EXECUTABLE),
    ELF("elf", Category.EXECUTABLE),
    MACH_O("mach-o", Category.EXECUTABLE),
    SCRIPT("script", Category.SCRIPT),
    PDF("pdf", Category.DOCUMENT),
    DOCX("docx", Category.DOCUMENT),
    XLSX("xlsx", Category.DOCUMENT),
    PPTX("pptx", Category.DOCUMENT),
    OLE2("ole2", Category.DOCUMENT),
    ODF("odf", Category.DOCUMENT),
    RTF("rtf", Category.DOCUMENT),
    ZIP("zip", Category.ARCHIVE),
    SEVEN_ZIP("7z", Category.ARCHIVE),
    RAR("rar", Category.ARCHIVE),
    TAR("tar", Category.ARCHIVE),
    GZIP("gzip", Category.ARCHIVE),
    BZIP2("bzip2", Category.ARCHIVE),
    XZ("xz", Category.ARCHIVE),
    ZSTD("zstd", Category.ARCHIVE),
    PNG("png", Category.IMAGE),
    JPEG("jpeg", Category.IMAGE),
    GIF("gif", Category.IMAGE),
    BMP("bmp", Category.IMAGE),
    WEBP("webp", Category.IMAGE),
    SOURCE_CODE("source-code", Category.SOURCE_CODE),
    JSON("json", Category.DATA),
    XML("xml", Category.DATA),
    HTML("html", Category.DATA),
    CSV("csv", Category.DATA),
    /** Human-readable prose (a memo): a document. */
    TEXT("text", Category.DOCUMENT),
    /** Binary we cannot identify. */
    UNKNOWN("unknown", Category.DATA);

    private final String id;
    private final Category category;

    FileType(String id, Category category) {
        this.id = id;
        this.category = category;
    }

    public String id() {
        return id;
    }

    public Category category() {
        return category;
    }

    /** True for types whose content is high-entropy by design but that a decoder here can open. */
    public boolean isContainer() {
        return switch (this) {
            case ZIP, DOCX, XLSX, PPTX, ODF, SEVEN_ZIP, TAR, GZIP, BZIP2, XZ, ZSTD -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
