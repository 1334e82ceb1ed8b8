"""The families, one entry each, with the class names, date strings and URL shapes live-markup.md reports."""

from __future__ import annotations

from replica.generator.families.spec import Family

_TOP = ("crumbs", "title", "author_start", "date", "sapo", "body", "author_end", "source", "tags", "tools")

FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family(
            key="tuyengiao_a", site_name="Ban Tuyên giáo Trung ương", host="www.tuyengiao.example",
            agency="(TG) - ", date_styles=("wd_dmy_dash_hm", "dmy_hm"), url="tg_a", pagination="query",
            wrap='div class="zonepage"><div class="zonepage-l"><div class="storydetail clearfix"',
            title='span class="story_headline"', sapo='div class="story_teaser clearfix"',
            body='div class="story_body" id="ArticleContent"', date='span class="story_date"',
            author='p class="story_author"', tags='div class="story_tags"', box='div class="zoneteaser"',
            image="tbl", author_in_body=True,
            order=("crumbs", "date", "title", "sapo", "body", "author_end", "source", "tags", "tools"),
        ),
        Family(
            key="tuyengiao_b", site_name="Ban Tuyên giáo Trung ương", host="tuyengiao.example",
            agency="(TG) - ", date_styles=("tg_b",), url="tg", pagination="query",
            wrap='div class="flex-fill"', title='h1 class="story-headline"', sapo='div class="story-teaser"',
            body='div class="story-body"', date='div class="ml-lg-auto"', author='p class="story-author"',
            tags='div class="story-tags"', box='div class="box-news clearfix"', image="picture",
            author_in_body=True, boxes_at="below",
        ),
        Family(
            key="zcms", site_name="Báo Nhân Dân điện tử", host="nhandan.example", agency="(NDO) - ",
            date_styles=("wd_ngay_dmy_hm",), url="zcms", pagination="trang",
            wrap='article class="article article--detail"', title='h1 class="article__title cms-title"',
            sapo='div class="article__sapo cms-desc"',
            body='div class="article__body zce-content-body cms-body" itemprop="articleBody"',
            date='div class="article__meta"><span class="time"', author='div class="article__author"',
            tags='div class="article__tag"', box='div class="box-stream"', image="picture",
            order=("crumbs", "title", "sapo", "author_start", "date", "body", "author_end", "source", "tags", "tools"),
        ),
        Family(
            key="vccorp", site_name="Báo điện tử Chính phủ", host="baochinhphu.example",
            agency="(Chinhphu.vn) - ", date_styles=("dmy_hm",), url="vcc", pagination="more",
            wrap='div class="detail-container"', title='h1 class="detail-title" data-role="title"',
            sapo='h2 class="detail-sapo" data-role="sapo"',
            body='div class="detail-content afcbc-body" data-role="content"',
            date='div class="detail-time"><div data-role="publishdate"', author='div class="detail-author"',
            tags='div class="detail-tab"', box='div class="box-category"', image="vcc",
            order=("crumbs", "date", "title", "author_start", "sapo", "body", "author_end", "source", "tags", "tools"),
        ),
        Family(
            key="dnn", site_name="Báo điện tử Đảng Cộng sản Việt Nam", host="dangcongsan.example",
            agency="(ĐCSVN) - ", date_styles=("wd_dmy_hm",), url="dnn", pagination="query",
            wrap='div class="DnnModule DnnModule-TinTuc"><div class="post-detail"', title='h1 class="post-title"',
            sapo='div class="post-summary"', body='div class="post-content noidung"',
            date='span class="lbPublishedDate" id="dnn_ctr1425_TinTuc_lbPublishedDate"',
            author='p class="post-author"', tags='div class="post-tags"', box='div class="box-subnews"',
            image="imagebox",
        ),
        Family(
            key="qdnd", site_name="Báo Quân đội nhân dân", host="qdnd.example", agency="QĐND - ",
            date_styles=("wd_dmy", "dmy", "dmy_hm"), url="qdnd", pagination="p",
            wrap='div class="article-detail"', title='h1 class="post-title"', sapo='div class="post-summary"',
            body='div class="post-content" itemprop="articleBody"', date='span class="post-subinfo"><span',
            author='p class="post-author"', tags='div class="post-tag"', box='div class="hotnews-block"',
            image="imgeditor", author_in_body=True, author_strong=True, invite_line=True,
        ),
        Family(
            key="mastercms", site_name="Báo Công Thương", host="congthuong.example", agency="(CT) - ",
            date_styles=("dmy_gmt", "dmy_hm"), url="html_id", pagination="trang",
            wrap='div class="detail-page"', title='h1 class="detail-title"', sapo='div class="detail-sapo"',
            body='div class="detail-content" id="__MASTERCMS_CONTENT"', date='span class="format_time"',
            author='div class="detail-author"', tags='div class="detail-tags"', box='div class="list-news"',
            image="figure",
        ),
        Family(
            key="uikit", site_name="Báo Công an nhân dân", host="cand.example", agency="(CAND) - ",
            date_styles=("hm_dmy", "wd_dmy_hm"), url="cand", pagination="query",
            wrap='div class="uk-container"><div class="uk-grid"><div class="uk-width-2-3"',
            title='h1 class="box-title-detail entry-title"', sapo='div class="box-des-detail"',
            body='div class="detail-content-body"', date='div class="box-date"', author='div class="box-author"',
            tags='div class="box-tag"', box='div class="uk-panel box-news"', image="figure",
        ),
        Family(
            key="sharepoint", site_name="Báo điện tử Đảng Cộng sản Việt Nam", host="dcs.example",
            agency="(ĐCSVN) - ", date_styles=("dmy_ampm", "dmy_hm"), url="sharepoint", pagination="sharepoint",
            wrap='div id="KhuVuc_3"><div class="ms-rtestate-field"', title='h1 id="contenttitle"',
            sapo='div id="description"', body='div class="noidungtt"', date='span id="ngaytao"',
            author='b id="tacgia"', tags='div class="tags"', box='div class="ms-webpart-zone"', image="imagebox",
        ),
        Family(
            key="liferay", site_name="Tạp chí Cộng sản", host="tapchicongsan.example", agency="TCCS - ",
            date_styles=("hm_ngay_dmy",), url="liferay", pagination="liferay",
            wrap='div class="portlet-body"><div class="journal-content-article"', title='h1 class="titleNews"',
            sapo='div class="sumary"', body='div class="detailContent"', date='div class="publishdate mt15"',
            author='div class="author"', tags='div class="tags"', box='div class="portlet-boundary"',
            image="figure", order=_TOP,
        ),
        Family(
            key="nextjs_pages", site_name="Thanh tra", host="thanhtra.example", agency="(TTO) - ",
            date_styles=("dmy_hm", "wd_dmy_hm"), url="next_pages", pagination="query",
            wrap='div id="__next"><main class="BlogDetail_main__x8Kq2"',
            title='h1 class="BlogDetail_title__a1B2c"', sapo='p class="BlogDetail_description__Qw3rT"',
            body='div class="BlogDetail_content__Zx9Yv"', date='span class="BlogDetail_date__Lm4Np"',
            author='span class="BlogDetail_author__Hj7Kd"', tags='div class="BlogDetail_tags__Pp0Oo"',
            box='section class="Sidebar_box__Ty6Ui"', image="figure", nextjs="pages",
        ),
        Family(
            key="nextjs_app", site_name="Ban Tuyên giáo và Dân vận Trung ương", host="tuyengiaodanvan.example",
            agency="(TG&DV) - ", date_styles=("dmy_hm", "tg_b"), url="next_app", pagination="next_app",
            wrap='main class="flex flex-col gap-4"><article class="blog-detail"', title='h1 class="text-2xl font-bold"',
            sapo='div class="font-semibold italic"', body='div class="blog-content prose"',
            date='span class="text-sm text-gray-500"', author='p class="text-right font-bold"',
            tags='div class="flex gap-2"', box='div class="link_link__box"', image="figure", nextjs="app",
        ),
        Family(
            key="block_sc", site_name="Báo Hànộimới", host="hanoimoi.example", agency="(HNM) - ",
            date_styles=("wd_dmy_dash_hm", "dmy_hm"), url="html_id", pagination="trang",
            wrap='div class="block-sc block-sc-detail"', title='h1 class="block-sc-title"',
            sapo='div class="block-sc-sapo"', body='div class="block-sc-content"', date='div class="block-sc-publish-time"',
            author='div class="block-sc-author"', tags='div class="block-sc-tags"', box='div class="block-sc-list"',
            image="figure",
        ),
        Family(
            key="drupal", site_name="VOV - Đài Tiếng nói Việt Nam", host="vov.example", agency="VOV.VN - ",
            date_styles=("wd_hm_dmy",), url="vov", pagination="drupal",
            wrap='div class="node node--type-article"', title='h1 class="article-title"',
            sapo='div class="article-summary"', body='div class="text-long field--name-body"',
            date='div class="article-date"', author='div class="article-author"', tags='div class="article-tags"',
            box='div class="block block-views"', image="figure",
        ),
        Family(
            key="joomla_k2", site_name="Tạp chí Lý luận chính trị", host="lyluanchinhtri.example",
            agency="(LLCT) - ", date_styles=("k2",), url="k2", pagination="start",
            wrap='div id="k2Container" class="itemView"', title='h2 class="itemTitle"',
            sapo='div class="itemIntroText"', body='div class="itemFullText"', date='span class="itemDateCreated"',
            author='span class="itemAuthor"', tags='div class="itemTagsBlock"', box='div class="moduletable"',
            image="figure", order=("crumbs", "date", "title", "author_start", "sapo", "body", "author_end", "source", "tags", "tools"),
        ),
        Family(
            key="provincial", site_name="Ban Tuyên giáo Thành ủy Cần Thơ", host="bantuyengiao.cantho.example",
            agency="(BTG) - ", date_styles=("words", "dmy_pipe_hm"), url="provincial", pagination="query",
            wrap='div class="news-detail"', title='h1 class="title-news"', sapo='div class="sapo-news"',
            body='div class="content-news"', date='div class="date-news"', author='div class="author-news"',
            tags='div class="tag-news"', box='div class="other-news"', image="tbl", author_in_body=True,
        ),
    )
}  # fmt: skip
